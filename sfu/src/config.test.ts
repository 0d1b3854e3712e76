import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const secret = 's'.repeat(32);

describe('loadConfig', () => {
  it('defaults beside a sync server on 127.0.0.1:3000', () => {
    expect(loadConfig({ VOICE_GRANT_SECRET: secret })).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      syncUrl: 'http://127.0.0.1:3000',
      portRange: undefined,
    });
  });

  it('shares BIND_ADDR host:port with the sync server', () => {
    const c = loadConfig({
      VOICE_GRANT_SECRET: secret,
      BIND_ADDR: '0.0.0.0:4000',
      SFU_PORT: '4001',
    });
    expect(c).toMatchObject({ host: '0.0.0.0', port: 4001, syncUrl: 'http://127.0.0.1:4000' });
  });

  it.each([
    [{}, 'VOICE_GRANT_SECRET'],
    [{ SFU_ANNOUNCED_IP: 'example.com' }, 'SFU_ANNOUNCED_IP'],
    [{ SFU_UDP_PORT_MIN: '40000' }, 'SFU_UDP_PORT_MIN and SFU_UDP_PORT_MAX'],
    [{ SFU_UDP_PORT_MIN: '40010', SFU_UDP_PORT_MAX: '40000' }, 'SFU_UDP_PORT_MIN'],
    [{ SFU_PORT: 'x' }, 'SFU_PORT'],
    [{ SYNC_URL: 'ftp://x' }, 'SYNC_URL'],
  ])('names the bad setting in one line: %o', (env, name) => {
    const full = 'VOICE_GRANT_SECRET' === name ? env : { VOICE_GRANT_SECRET: secret, ...env };
    expect(() => loadConfig(full)).toThrow(ConfigError);
    expect(() => loadConfig(full)).toThrow(name);
  });
});
