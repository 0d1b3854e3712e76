import { isAbsolute, resolve } from 'node:path';
import { REPO_ROOT } from './paths.ts';
import type { IceServer } from '@echora/shared/voice/index';
import {
  OEMBED_PROVIDERS,
  type OembedEndpoints,
  type OembedProvider,
} from './domain/previews/oembed.ts';
import { parseIceServers } from './domain/voice/ice.ts';
import { allowEntryProblem } from './net/address-policy.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['production', 'development', 'test'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Everything the server reads from its environment, validated once at start-up. */
export interface Config {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Postgres when set; else PGlite in `<dataDir>/pglite`. */
  databaseUrl: string | undefined;
  /** Absolute. */
  dataDir: string;
  /** HS256 key for access tokens; generated into `<dataDir>/jwt-secret` when not given. */
  jwtSecret: string;
  /** Origins allowed to call the API from another origin; empty means none. */
  corsOrigins: string[];
  redisUrl: string | undefined;
  logLevel: LogLevel;
  /** Set only when REGISTRATION is given: it then overrides the stored community setting. */
  registration: 'open' | 'invite' | undefined;
  storage: {
    backend: 'local' | 's3';
    /** Absolute; used by the local backend. */
    path: string;
    s3: {
      bucket: string | undefined;
      region: string | undefined;
      endpoint: string | undefined;
      forcePathStyle: boolean;
    };
  };
  maxUploadBytes: number;
  /** Bytes of live files each user may keep (uploads and avatars); 0 means no quota. */
  uploadQuotaBytes: number;
  sfuUrls: string[];
  sfuPort: number;
  /** Signs voice grants for the SFU; generated into `<dataDir>/voice-secret` when not given. */
  voiceGrantSecret: string;
  /** The built client, served from the same port when its index.html exists. */
  clientDist: string;
  /** Passed to Fastify's `trustProxy`. */
  trustProxy: boolean | number | string[];
  /** Login attempts per minute per username and IP, registrations per minute per IP. */
  authRateLimit: number;
  /** Access tokens (JWT) live this long. */
  accessTtlSeconds: number;
  /** Refresh tokens (so sessions without activity) live this long. */
  refreshTtlSeconds: number;
  /** Durable mutations (typing and presence at a quarter) per user per minute; unset keeps the engine's default. */
  sendRatePerMinute: number | undefined;
  /** Sync sockets one user may have open on one node; unset keeps the engine's default. */
  maxSocketsPerUser: number | undefined;
  /** How often each sync socket is pinged (one unanswered ping closes it); unset keeps the default. */
  socketPingMs: number | undefined;
  /** How long a node's presence entries live in Redis without a refresh; unset keeps the default. */
  presenceTtlMs: number | undefined;
  /** Bearer token for `GET /metrics` on the main port; unset: no metrics there. */
  metricsToken: string | undefined;
  /** Serve `/metrics` on this host:port instead, without a token (a private interface). */
  metricsAddr: { host: string; port: number } | undefined;
  /** On SIGTERM, how long `/readyz` says 503 (sockets already sent away) before the node stops listening. */
  shutdownDrainMs: number;
  /** Prefix of Redis keys and channels, so several installs can share one Redis. */
  redisPrefix: string | undefined;
  /** Recorded mutation answers older than this are pruned (each client's latest is kept). */
  mutationRetentionDays: number;
  /** STUN/TURN servers handed to browsers with each voice grant. */
  iceServers: IceServer[];
  /** Web Push signing keys; generated once, kept in the database (`server_secrets`). */
  vapidKeys: VapidKeys;
  /** Contact push services show for this server's pushes (`mailto:` or `https:`). */
  vapidSubject: string;
  /**
   * IPs, CIDRs and exact host names outbound requests (webhooks, link
   * previews, push) may reach although they are loopback, private or
   * link-local (`OUTBOUND_ALLOW`); empty: public addresses only.
   */
  outboundAllow: string[];
  /**
   * Link previews: oEmbed endpoints replacing known providers' published ones
   * (`OEMBED_ENDPOINTS`, `youtube=https://…,x=https://…`); empty: the published ones.
   */
  oembedEndpoints: OembedEndpoints;
  nodeEnv: NodeEnv;
}

/** A VAPID key pair, both base64url as web-push makes them. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** Config as read from the environment, before missing secrets are generated. */
export type LoadedConfig = Omit<Config, 'jwtSecret' | 'voiceGrantSecret' | 'vapidKeys'> & {
  jwtSecret: string | undefined;
  voiceGrantSecret: string | undefined;
};

/** A bad environment value; its message is the one line printed before exiting. */
export class ConfigError extends Error {
  constructor(variable: string, rule: string, value: string) {
    super(`Invalid configuration: ${variable} ${rule}, got ${JSON.stringify(value)}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Unset and empty are the same: `FOO= npm start` should not mean an empty value. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer ${min}-${max}`, raw);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join('|')}`, raw);
  }
  return raw as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, 'must be true or false', raw);
}

function list(env: Env, name: string): string[] {
  return (read(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL', raw);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must be a ${protocols.join(' or ')} URL`, raw);
  }
  return raw;
}

function secret(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw !== undefined && raw.length < 32) {
    // Never echo a secret, not even a short one.
    throw new ConfigError(name, 'must be at least 32 characters', `<${raw.length} characters>`);
  }
  return raw;
}

function hostPort(name: string, raw: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[2]);
  if (!match?.[1] || port > 65535) {
    throw new ConfigError(name, 'must be host:port (e.g. 127.0.0.1:3000 or [::1]:3000)', raw);
  }
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

function bindAddress(env: Env): { host: string; port: number } {
  const { host, port } = hostPort('BIND_ADDR', read(env, 'BIND_ADDR') ?? '127.0.0.1:3000');
  return { host, port: integer(env, 'PORT', 0, 65535, port) };
}

function trustProxy(env: Env): Config['trustProxy'] {
  const raw = read(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const hosts = list(env, 'TRUST_PROXY');
  if (hosts.some((host) => !/^[0-9a-fA-F:./]+$/.test(host))) {
    throw new ConfigError('TRUST_PROXY', 'must be true, false, a hop count or IPs/CIDRs', raw);
  }
  return hosts;
}

function iceServers(env: Env): IceServer[] {
  const raw = read(env, 'ICE_SERVERS');
  try {
    return parseIceServers(raw);
  } catch (error) {
    const rule = error instanceof Error ? error.message.replace(/^.*ICE_SERVERS:? ?/, '') : '';
    throw new ConfigError('ICE_SERVERS', rule || 'is not valid', raw ?? '');
  }
}

function outboundAllow(env: Env): string[] {
  const entries = list(env, 'OUTBOUND_ALLOW');
  for (const entry of entries) {
    const problem = allowEntryProblem(entry);
    if (problem)
      throw new ConfigError(
        'OUTBOUND_ALLOW',
        `items must be IPs, CIDRs or host names (${problem})`,
        entry,
      );
  }
  return entries;
}

function oembedEndpoints(env: Env): OembedEndpoints {
  const endpoints: OembedEndpoints = {};
  for (const entry of list(env, 'OEMBED_ENDPOINTS')) {
    const [name = '', ...rest] = entry.split('=');
    const endpoint = rest.join('=');
    if (!OEMBED_PROVIDERS.includes(name as OembedProvider)) {
      throw new ConfigError(
        'OEMBED_ENDPOINTS',
        `items are <provider>=<URL>, the provider one of ${OEMBED_PROVIDERS.join(', ')}`,
        entry,
      );
    }
    if (!/^https?:\/\//.test(endpoint) || !URL.canParse(endpoint)) {
      throw new ConfigError('OEMBED_ENDPOINTS', 'each endpoint must be an http(s) URL', entry);
    }
    endpoints[name as OembedProvider] = endpoint;
  }
  return endpoints;
}

function vapidSubject(env: Env): string {
  const raw = read(env, 'VAPID_SUBJECT') ?? 'mailto:admin@localhost';
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(raw)) {
    throw new ConfigError('VAPID_SUBJECT', 'must be a mailto: address or an https: URL', raw);
  }
  return raw;
}

/**
 * Reads and validates the environment. Pure: it reads no files and touches
 * nothing, so tests call it with any env. Throws {@link ConfigError} naming
 * the first bad variable.
 */
export function loadConfig(env: Env, cwd = process.cwd()): LoadedConfig {
  const { host, port } = bindAddress(env);
  const dataDir = resolve(cwd, read(env, 'DATA_DIR') ?? './data');
  const backend = oneOf(env, 'STORAGE_BACKEND', ['local', 's3'] as const) ?? 'local';
  const s3 = {
    bucket: read(env, 'S3_BUCKET'),
    region: read(env, 'S3_REGION'),
    endpoint: url(env, 'S3_ENDPOINT', ['http:', 'https:']),
    forcePathStyle: boolean(env, 'S3_FORCE_PATH_STYLE', false),
  };
  if (backend === 's3' && !s3.bucket) {
    throw new ConfigError('S3_BUCKET', 'must be set when STORAGE_BACKEND=s3', '');
  }
  const storagePath = read(env, 'STORAGE_PATH');
  const clientDist = read(env, 'CLIENT_DIST');
  const corsOrigins = list(env, 'CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        'must list origins like https://chat.example.com',
        origin,
      );
    }
  }
  const sfuUrls = list(env, 'SFU_URLS');
  for (const sfuUrl of sfuUrls)
    url({ SFU_URLS: sfuUrl }, 'SFU_URLS', ['http:', 'https:', 'ws:', 'wss:']);
  return {
    host,
    port,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir,
    jwtSecret: secret(env, 'JWT_SECRET'),
    corsOrigins,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS) ?? 'info',
    registration: oneOf(env, 'REGISTRATION', ['open', 'invite'] as const),
    storage: {
      backend,
      path: storagePath ? resolve(cwd, storagePath) : resolve(dataDir, 'uploads'),
      s3,
    },
    maxUploadBytes: integer(env, 'MAX_UPLOAD_MB', 1, 10_240, 25) * 1024 * 1024,
    uploadQuotaBytes: integer(env, 'UPLOAD_QUOTA_MB', 0, 104_857_600, 1024) * 1024 * 1024,
    sfuUrls,
    sfuPort: integer(env, 'SFU_PORT', 0, 65535, 3001),
    voiceGrantSecret: secret(env, 'VOICE_GRANT_SECRET'),
    clientDist: clientDist
      ? isAbsolute(clientDist)
        ? clientDist
        : resolve(cwd, clientDist)
      : resolve(REPO_ROOT, 'client/dist'),
    trustProxy: trustProxy(env),
    authRateLimit: integer(env, 'AUTH_RATE_LIMIT', 1, 1_000_000_000, 10),
    // Short lifetimes are for tests that drive many refreshes; 2 s is the least a client can use.
    accessTtlSeconds: integer(env, 'ACCESS_TTL_SECONDS', 2, 86_400, 15 * 60),
    refreshTtlSeconds: integer(env, 'REFRESH_TTL_SECONDS', 10, 31_536_000, 30 * 24 * 3600),
    sendRatePerMinute: read(env, 'SEND_RATE_PER_MINUTE')
      ? integer(env, 'SEND_RATE_PER_MINUTE', 1, 1_000_000_000, 100)
      : undefined,
    maxSocketsPerUser: read(env, 'MAX_SOCKETS_PER_USER')
      ? integer(env, 'MAX_SOCKETS_PER_USER', 1, 1000, 10)
      : undefined,
    socketPingMs: read(env, 'SOCKET_PING_MS')
      ? integer(env, 'SOCKET_PING_MS', 200, 600_000, 30_000)
      : undefined,
    presenceTtlMs: read(env, 'PRESENCE_TTL_MS')
      ? integer(env, 'PRESENCE_TTL_MS', 300, 3_600_000, 10_000)
      : undefined,
    redisPrefix: read(env, 'REDIS_PREFIX'),
    metricsToken: secret(env, 'METRICS_TOKEN'),
    metricsAddr: read(env, 'METRICS_ADDR')
      ? hostPort('METRICS_ADDR', read(env, 'METRICS_ADDR') ?? '')
      : undefined,
    shutdownDrainMs: integer(env, 'SHUTDOWN_DRAIN_MS', 0, 600_000, 0),
    mutationRetentionDays: integer(env, 'MUTATION_RETENTION_DAYS', 1, 36_500, 30),
    iceServers: iceServers(env),
    vapidSubject: vapidSubject(env),
    outboundAllow: outboundAllow(env),
    oembedEndpoints: oembedEndpoints(env),
    nodeEnv: oneOf(env, 'NODE_ENV', NODE_ENVS) ?? 'development',
  };
}
