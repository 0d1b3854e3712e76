/**
 * Adds, for every host candidate in `sdp`, the same candidate on `ip`: the
 * SFU behind a 1:1 NAT (a cloud VM) knows only its private address, while
 * clients must reach the public one. The private candidates stay for LAN use.
 */
export function announceAddress(sdp: string, ip: string): string {
  const lines = sdp.split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    out.push(line);
    const m = /^a=candidate:(\S+) (\d+) (\S+) (\d+) (\S+) (\d+) typ host(.*)$/.exec(line);
    if (!m || m[5] === ip) continue;
    const [, foundation, component, transport, priority, , port, rest] = m;
    // A lower priority keeps LAN peers on the direct address when both work.
    const lower = Math.max(1, Number(priority) - 1);
    out.push(
      `a=candidate:${foundation}a ${component} ${transport} ${lower} ${ip} ${port} typ host${rest}`,
    );
  }
  return out.join('\r\n');
}
