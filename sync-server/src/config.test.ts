import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({}, '/srv/echora');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      dataDir: '/srv/echora/data',
      corsOrigins: [],
      logLevel: 'info',
      registration: undefined,
      storage: { backend: 'local', path: '/srv/echora/data/uploads' },
      maxUploadBytes: 25 * 1024 * 1024,
      uploadQuotaBytes: 1024 * 1024 * 1024,
      authRateLimit: 10,
      accessTtlSeconds: 15 * 60,
      refreshTtlSeconds: 30 * 24 * 3600,
      sfuPort: 3001,
      trustProxy: false,
      outboundAllow: [],
      nodeEnv: 'development',
    });
    expect(config.clientDist).toMatch(/client\/dist$/);
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      BIND_ADDR: '[::1]:8080',
      PORT: '0',
      DATABASE_URL: 'postgres://u@db:5432/echora',
      DATA_DIR: '/var/echora',
      JWT_SECRET: 'x'.repeat(32),
      CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REGISTRATION: 'invite',
      STORAGE_BACKEND: 's3',
      S3_BUCKET: 'files',
      S3_FORCE_PATH_STYLE: 'true',
      SFU_URLS: 'http://sfu1:3001,http://sfu2:3001',
      TRUST_PROXY: '1',
      NODE_ENV: 'production',
      UPLOAD_QUOTA_MB: '0',
      ACCESS_TTL_SECONDS: '4',
      REFRESH_TTL_SECONDS: '60',
      MAX_SOCKETS_PER_USER: '4',
      SOCKET_PING_MS: '15000',
    });
    expect(config).toMatchObject({
      host: '::1',
      port: 0,
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      registration: 'invite',
      storage: { backend: 's3', s3: { bucket: 'files', forcePathStyle: true } },
      sfuUrls: ['http://sfu1:3001', 'http://sfu2:3001'],
      trustProxy: 1,
      nodeEnv: 'production',
      uploadQuotaBytes: 0,
      accessTtlSeconds: 4,
      refreshTtlSeconds: 60,
      maxSocketsPerUser: 4,
      socketPingMs: 15_000,
    });
  });

  it('reads the outbound allow-list of IPs, CIDRs and host names', () => {
    const config = loadConfig({ OUTBOUND_ALLOW: '127.0.0.1, 10.0.0.0/8,::1,preview.internal' });
    expect(config.outboundAllow).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'preview.internal']);
  });

  it('reads oEmbed endpoints replacing known providers’ (none by default)', () => {
    expect(loadConfig({}).oembedEndpoints).toEqual({});
    const config = loadConfig({
      OEMBED_ENDPOINTS: 'youtube=http://127.0.0.1:8080/oembed, x=https://proxy.lan/o?a=b',
    });
    expect(config.oembedEndpoints).toEqual({
      youtube: 'http://127.0.0.1:8080/oembed',
      x: 'https://proxy.lan/o?a=b',
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer 0-65535, got "abc"'],
    [{ PORT: '70000' }, 'PORT must be an integer 0-65535, got "70000"'],
    [{ BIND_ADDR: 'localhost' }, 'BIND_ADDR must be host:port'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters, got "<5 characters>"'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres: or postgresql: URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal|error|warn|info|debug|trace|silent'],
    [{ REGISTRATION: 'closed' }, 'REGISTRATION must be one of open|invite'],
    [{ STORAGE_BACKEND: 'ftp' }, 'STORAGE_BACKEND must be one of local|s3'],
    [{ STORAGE_BACKEND: 's3' }, 'S3_BUCKET must be set when STORAGE_BACKEND=s3'],
    [{ MAX_UPLOAD_MB: '-1' }, 'MAX_UPLOAD_MB must be an integer 1-10240'],
    [{ CORS_ORIGINS: 'example.com' }, 'CORS_ORIGINS must list origins'],
    [{ REDIS_URL: 'nope' }, 'REDIS_URL must be a URL'],
    [{ S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE must be true or false'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of production|development|test'],
    [{ SEND_RATE_PER_MINUTE: 'lots' }, 'SEND_RATE_PER_MINUTE must be an integer 1-1000000000'],
    [{ ICE_SERVERS: 'http://x' }, 'ICE_SERVERS entry must be a stun: or turn: URL'],
    [{ ICE_SERVERS: '[oops' }, 'ICE_SERVERS is not valid JSON'],
    [{ PRESENCE_TTL_MS: '5' }, 'PRESENCE_TTL_MS must be an integer 300-3600000'],
    [{ UPLOAD_QUOTA_MB: '-5' }, 'UPLOAD_QUOTA_MB must be an integer 0-104857600'],
    [{ UPLOAD_QUOTA_MB: '1.5' }, 'UPLOAD_QUOTA_MB must be an integer 0-104857600'],
    [{ ACCESS_TTL_SECONDS: '1' }, 'ACCESS_TTL_SECONDS must be an integer 2-86400'],
    [{ REFRESH_TTL_SECONDS: 'forever' }, 'REFRESH_TTL_SECONDS must be an integer 10-31536000'],
    [{ MAX_SOCKETS_PER_USER: '0' }, 'MAX_SOCKETS_PER_USER must be an integer 1-1000'],
    [{ SOCKET_PING_MS: '50' }, 'SOCKET_PING_MS must be an integer 200-600000'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN must be at least 32 characters'],
    [{ METRICS_ADDR: '9100' }, 'METRICS_ADDR must be host:port'],
    [{ SHUTDOWN_DRAIN_MS: '-1' }, 'SHUTDOWN_DRAIN_MS must be an integer 0-600000'],
    [{ OUTBOUND_ALLOW: '10.0.0.0/33' }, 'OUTBOUND_ALLOW items must be IPs, CIDRs or host names'],
    [{ OUTBOUND_ALLOW: 'http://x' }, 'OUTBOUND_ALLOW items must be IPs, CIDRs or host names'],
    [{ OEMBED_ENDPOINTS: 'myspace=https://x/o' }, 'OEMBED_ENDPOINTS items are <provider>=<URL>'],
    [{ OEMBED_ENDPOINTS: 'vimeo=ftp://x/o' }, 'OEMBED_ENDPOINTS each endpoint must be an http(s)'],
  ])('stops on %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
