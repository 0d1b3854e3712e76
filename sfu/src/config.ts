import { isIP } from 'node:net';

/** Everything the SFU reads from its environment. */
export interface SfuConfig {
  port: number;
  host: string;
  /** Shared with the sync server: verifies grants and signs voice reports. */
  secret: string;
  /** This node's URL as the sync server lists it in `SFU_URLS`; else the request's Host is used. */
  publicUrl: string | undefined;
  announcedIp: string | undefined;
  portRange: [number, number] | undefined;
  /** Where voice reports go (the sync server); undefined turns reports off. */
  syncUrl: string | undefined;
}

/** A bad setting, said in one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function port(env: NodeJS.ProcessEnv, name: string, fallback?: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  return n;
}

/** Reads and checks the SFU's settings; throws `ConfigError` naming the first bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SfuConfig {
  const secret = env.VOICE_GRANT_SECRET ?? '';
  if (secret.length < 16)
    throw new ConfigError('VOICE_GRANT_SECRET must be set to at least 16 characters');
  const announcedIp = env.SFU_ANNOUNCED_IP || undefined;
  if (announcedIp !== undefined && isIP(announcedIp) === 0)
    throw new ConfigError(`SFU_ANNOUNCED_IP must be an IP address, got "${announcedIp}"`);
  const min = port(env, 'SFU_UDP_PORT_MIN');
  const max = port(env, 'SFU_UDP_PORT_MAX');
  if ((min === undefined) !== (max === undefined))
    throw new ConfigError('SFU_UDP_PORT_MIN and SFU_UDP_PORT_MAX must be set together');
  if (min !== undefined && max !== undefined && min >= max)
    throw new ConfigError('SFU_UDP_PORT_MIN must be below SFU_UDP_PORT_MAX');
  const publicUrl = env.SFU_PUBLIC_URL || undefined;
  if (publicUrl !== undefined && !/^wss?:\/\//.test(publicUrl))
    throw new ConfigError(`SFU_PUBLIC_URL must start with ws:// or wss://, got "${publicUrl}"`);
  const bind = bindHost(env.BIND_ADDR);
  const syncPort = port(env, 'PORT') ?? bind.port ?? 3000;
  const loopback = bind.host === '0.0.0.0' || bind.host === '::' ? '127.0.0.1' : bind.host;
  const syncHost = loopback.includes(':') ? `[${loopback}]` : loopback;
  const syncUrl =
    env.SYNC_URL === 'off' ? undefined : env.SYNC_URL || `http://${syncHost}:${syncPort}`;
  if (syncUrl !== undefined && !/^https?:\/\//.test(syncUrl))
    throw new ConfigError(`SYNC_URL must start with http:// or https://, got "${syncUrl}"`);
  return {
    port: port(env, 'SFU_PORT', 3001) ?? 3001,
    host: bind.host,
    secret,
    publicUrl,
    announcedIp,
    portRange: min !== undefined && max !== undefined ? [min, max] : undefined,
    syncUrl,
  };
}

/**
 * `BIND_ADDR` is shared with the sync server, which takes `host:port`; the
 * SFU uses the host (its port is `SFU_PORT`) and, for reports, the port.
 */
function bindHost(raw: string | undefined): { host: string; port: number | undefined } {
  const value = raw?.trim();
  if (!value) return { host: '127.0.0.1', port: undefined };
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m?.[1]) {
    if (isIP(value) === 6) return { host: value, port: undefined };
    throw new ConfigError(`BIND_ADDR must be host or host:port, got "${value}"`);
  }
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: m[2] ? Number(m[2]) : undefined };
}
