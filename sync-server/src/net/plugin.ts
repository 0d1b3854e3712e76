import type { FastifyInstance } from 'fastify';
import { AddressPolicy, systemResolver, type Resolver } from './address-policy.ts';
import { SafeFetch } from './safe-fetch.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every request the server makes on someone else's say-so goes through this SSRF guard. */
    outbound: SafeFetch;
  }
}

/** Decorates `app.outbound` from `OUTBOUND_ALLOW`; tests pass a hosts-style `resolver`. */
export function registerOutbound(app: FastifyInstance, resolver: Resolver = systemResolver): void {
  app.decorate('outbound', new SafeFetch(new AddressPolicy(app.config.outboundAllow, resolver)));
}
