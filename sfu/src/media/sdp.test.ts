import { describe, expect, it } from 'vitest';
import { announceAddress } from './sdp.ts';

describe('announceAddress', () => {
  const sdp = [
    'v=0',
    'a=candidate:1 1 udp 2130706431 10.0.0.5 50000 typ host',
    'a=candidate:2 1 udp 1694498815 1.2.3.4 50001 typ srflx raddr 10.0.0.5 rport 50000',
    '',
  ].join('\r\n');

  it('adds the announced address beside each host candidate only', () => {
    const out = announceAddress(sdp, '203.0.113.7').split('\r\n');
    expect(out).toContain('a=candidate:1 1 udp 2130706431 10.0.0.5 50000 typ host');
    expect(out).toContain('a=candidate:1a 1 udp 2130706430 203.0.113.7 50000 typ host');
    expect(out.filter((l) => l.includes('203.0.113.7'))).toHaveLength(1);
  });

  it('does not duplicate a candidate already on the announced address', () => {
    expect(announceAddress(sdp, '10.0.0.5')).toBe(sdp);
  });
});
