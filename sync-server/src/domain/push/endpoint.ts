import { BlockList, isIP } from 'node:net';

/**
 * Addresses a push endpoint may not name: the server would POST to them on a
 * member's say-so (loopback, private, link-local, unique-local, unspecified).
 */
const internal = new BlockList();
internal.addSubnet('0.0.0.0', 8, 'ipv4');
internal.addSubnet('10.0.0.0', 8, 'ipv4');
internal.addSubnet('100.64.0.0', 10, 'ipv4');
internal.addSubnet('127.0.0.0', 8, 'ipv4');
internal.addSubnet('169.254.0.0', 16, 'ipv4');
internal.addSubnet('172.16.0.0', 12, 'ipv4');
internal.addSubnet('192.168.0.0', 16, 'ipv4');
internal.addAddress('::', 'ipv6');
internal.addAddress('::1', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6');
internal.addSubnet('fe80::', 10, 'ipv6');
internal.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * Why `endpoint` is not a push service URL this server will call, or
 * undefined when it is: https, and not a name or address of this machine or
 * its network. `allowLoopbackHttp` (tests only) lets a push service on
 * 127.0.0.1 over plain http through.
 */
export function endpointProblem(endpoint: string, allowLoopbackHttp = false): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint: not a URL';
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (allowLoopbackHttp && url.protocol === 'http:' && host === '127.0.0.1') return undefined;
  if (url.protocol !== 'https:') return 'endpoint: must be an https URL';
  if (url.username || url.password) return 'endpoint: must not carry credentials';
  const family = isIP(host);
  if (family !== 0 && internal.check(host, family === 4 ? 'ipv4' : 'ipv6')) {
    return 'endpoint: must not be a private or loopback address';
  }
  if (
    family === 0 &&
    (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))
  ) {
    return 'endpoint: must be a public host name';
  }
  return undefined;
}
