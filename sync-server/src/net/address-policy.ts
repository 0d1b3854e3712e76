import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (tests inject a hosts-style table). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS). */
export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** A request the guard would not let out, and why (for logs and API answers). */
export class OutboundRefused extends Error {
  constructor(readonly reason: string) {
    super(`outbound request refused: ${reason}`);
    this.name = 'OutboundRefused';
  }
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Why `entry` cannot be an `OUTBOUND_ALLOW` item, or undefined when it can. */
export function allowEntryProblem(entry: string): string | undefined {
  if (ipaddr.isValid(entry)) return undefined;
  if (entry.includes('/')) {
    try {
      ipaddr.parseCIDR(entry);
      return undefined;
    } catch {
      return 'is not a valid CIDR';
    }
  }
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)
    ? undefined
    : 'is not an IP address, CIDR or host name';
}

/**
 * Decides which addresses the server may connect to on someone else's say-so
 * (webhook targets, link previews, push endpoints): only public unicast.
 * Loopback, private (RFC 1918), carrier-grade NAT, unique-local, link-local
 * (cloud metadata at 169.254.169.254, fd00:ec2::254), unspecified, multicast,
 * broadcast, reserved and the IPv6 forms that embed an IPv4 address (mapped,
 * 6to4, Teredo, NAT64) are refused, unless the operator's allow-list
 * (`OUTBOUND_ALLOW`: IPs, CIDRs, exact host names) names them.
 */
export class AddressPolicy {
  readonly #cidrs: Cidr[] = [];
  readonly #hosts = new Set<string>();

  constructor(
    allow: readonly string[] = [],
    readonly resolve: Resolver = systemResolver,
  ) {
    for (const entry of allow) {
      const problem = allowEntryProblem(entry);
      if (problem) throw new Error(`OUTBOUND_ALLOW: ${entry} ${problem}`);
      if (entry.includes('/')) this.#cidrs.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const ip = ipaddr.process(entry);
        this.#cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
      } else this.#hosts.add(entry.toLowerCase());
    }
  }

  /** The operator allowed this exact host name (every address it resolves to). */
  allowsHost(hostname: string): boolean {
    return this.#hosts.has(hostname.toLowerCase());
  }

  /**
   * Why the server must not connect to `address` (an IP literal), or
   * undefined when it may. An IPv4-mapped IPv6 address is judged as the IPv4
   * address it carries.
   */
  addressProblem(address: string): string | undefined {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.process(address.replace(/%.*$/, ''));
    } catch {
      return `${address} is not an IP address`;
    }
    for (const [net, bits] of this.#cidrs) {
      if (net.kind() === ip.kind() && ip.match(net, bits)) return undefined;
    }
    const range = ip.range();
    return range === 'unicast' ? undefined : `${ip.toString()} is ${range}`;
  }

  /**
   * The addresses to connect to for `hostname`: every one must pass (a name
   * that resolves to one public and one private address is refused, so a
   * second lookup cannot pick the private one). Throws {@link OutboundRefused}.
   */
  async vet(hostname: string): Promise<ResolvedAddress[]> {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    if (ipaddr.isValid(host)) {
      const problem = this.addressProblem(host);
      if (problem) throw new OutboundRefused(problem);
      return [{ address: host, family: ipaddr.parse(host).kind() === 'ipv4' ? 4 : 6 }];
    }
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolve(host);
    } catch {
      throw new OutboundRefused(`${host} does not resolve`);
    }
    if (addresses.length === 0) throw new OutboundRefused(`${host} does not resolve`);
    if (this.allowsHost(host)) return addresses;
    for (const { address } of addresses) {
      const problem = this.addressProblem(address);
      if (problem) throw new OutboundRefused(`${host} resolves to ${problem}`);
    }
    return addresses;
  }
}
