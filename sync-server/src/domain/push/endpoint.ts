import { isIP } from 'node:net';
import type { AddressPolicy } from '../../net/address-policy.ts';

/**
 * Why `endpoint` is not a push service URL this server will call, or
 * undefined when it is: https, and not a name or address of this machine or
 * its network (unless the operator's `OUTBOUND_ALLOW` names it). The sender
 * checks again at each push, on the addresses the name resolves to then.
 * `allowLoopbackHttp` (tests only) lets a push service on 127.0.0.1 over
 * plain http through.
 */
export function endpointProblem(
  endpoint: string,
  policy: AddressPolicy,
  allowLoopbackHttp = false,
): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint: not a URL';
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const loopbackHttp = allowLoopbackHttp && url.protocol === 'http:' && host === '127.0.0.1';
  if (url.protocol !== 'https:' && !loopbackHttp) return 'endpoint: must be an https URL';
  if (url.username || url.password) return 'endpoint: must not carry credentials';
  if (isIP(host) !== 0) {
    return policy.addressProblem(host)
      ? 'endpoint: must not be a private or loopback address'
      : undefined;
  }
  if (
    !policy.allowsHost(host) &&
    (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))
  ) {
    return 'endpoint: must be a public host name';
  }
  return undefined;
}
