/**
 * Docker cannot run on the machines that run these tests, so the container
 * files are checked statically: the Dockerfile with dockerfile-utils (the
 * linter of the VS Code Docker extension) and dockerfile-ast, the compose
 * file with `yaml`, and their settings against the servers' own config
 * loaders, so a variable the servers would refuse fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadSfuConfig } from '../../../sfu/src/config.ts';
import { loadConfig } from '../../src/config.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const dockerfile = DockerfileParser.parse(text);
  const stages = dockerfile.getFROMs().map((from) => from.getBuildStage());
  /** The instructions of `stage` and the stages it is built FROM, base first. */
  const chain = (stage: string): Instruction[] => {
    const froms = dockerfile.getFROMs();
    const index = froms.findIndex((from) => from.getBuildStage() === stage);
    const from = froms[index];
    if (!from) throw new Error(`no stage ${stage}`);
    const next = froms[index + 1];
    const own = dockerfile
      .getInstructions()
      .filter(
        (i) =>
          i.getRange().start.line > from.getRange().start.line &&
          (!next || i.getRange().start.line < next.getRange().start.line),
      );
    const base = from.getImageName() ?? '';
    return [...(stages.includes(base) ? chain(base) : []), ...own];
  };
  const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());

  it('passes the linter (which does catch a broken file)', () => {
    expect(validate(text)).toEqual([]);
    expect(validate('FROM node:20\nEXPOSE 99999999\nUSER\n').length).toBeGreaterThan(0);
  });

  it('builds in stages and ships a server and an SFU target', () => {
    expect(stages).toEqual(['build', 'runtime', 'server', 'sfu']);
    for (const copy of dockerfile.getCOPYs()) {
      const from = copy.getFlags().find((flag) => flag.getName() === 'from');
      if (from) expect(stages).toContain(from.getValue());
    }
  });

  it('copies only files that exist and runs scripts that exist', () => {
    const build = chain('build');
    for (const copy of build.filter((i) => i.getKeyword() === 'COPY')) {
      for (const source of args(copy).slice(0, -1))
        expect(existsSync(join(ROOT, source))).toBe(true);
    }
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    const runs = build.filter((i) => i.getKeyword() === 'RUN').map((i) => args(i).join(' '));
    expect(runs.join('\n')).toContain('npm run build:server');
    expect(scripts['build:server']).toBe('node scripts/build-server.mjs');
  });

  for (const [stage, entry, port] of [
    ['server', 'sync-server/dist/server.js', '3000'],
    ['sfu', 'sfu/dist/server.js', '3001'],
  ] as const) {
    it(`${stage}: production, non-root, health-checked, compiled JavaScript`, () => {
      const instructions = chain(stage);
      const last = (keyword: string) =>
        instructions.filter((i) => i.getKeyword() === keyword).at(-1);
      expect(args(last('USER') as Instruction)).toEqual(['node']);
      const env = instructions
        .filter((i) => i.getKeyword() === 'ENV')
        .flatMap(args)
        .join(' ');
      expect(env).toContain('NODE_ENV=production');
      const health = args(last('HEALTHCHECK') as Instruction).join(' ');
      expect(health).toContain(`127.0.0.1:${port}/`);
      const cmd = args(last('CMD') as Instruction).join(' ');
      expect(cmd).toContain(entry);
      expect(cmd).not.toMatch(/tsx|\.ts\b/);
      const build = read('scripts/build-server.mjs');
      expect(build).toContain(`'${entry.split('/')[0]}'`);
    });
  }
});

/** Compose's `${NAME:?message}` and `${NAME}` filled with sample values. */
function interpolate(value: string): string {
  const samples: Record<string, string> = {
    POSTGRES_PASSWORD: 'secret-password',
    VOICE_DOMAIN: 'voice.example.com',
    ECHORA_DOMAIN: 'chat.example.com',
    VOICE_GRANT_SECRET: 'v'.repeat(40),
    PUBLIC_IP: '203.0.113.7',
  };
  return value.replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, (_, name: string) => {
    const sample = samples[name];
    if (sample === undefined) throw new Error(`compose uses \${${name}} without a sample here`);
    return sample;
  });
}

interface Service {
  build?: { context: string; target: string };
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown> | string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: unknown;
}

describe('deploy/compose.yaml', () => {
  const compose = parse(read('deploy/compose.yaml'), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const services = compose.services;
  const env = (name: string) =>
    Object.fromEntries(
      Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [
        k,
        interpolate(String(v)),
      ]),
    );

  it('has Postgres, Redis, two sync nodes, one SFU and Caddy', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['caddy', 'postgres', 'redis', 'sfu', 'sync1', 'sync2'].sort(),
    );
    const stages = DockerfileParser.parse(read('Dockerfile'))
      .getFROMs()
      .map((from) => from.getBuildStage());
    for (const [name, target] of [
      ['sync1', 'server'],
      ['sync2', 'server'],
      ['sfu', 'sfu'],
    ] as const) {
      const build = services[name]?.build;
      expect(build?.target).toBe(target);
      expect(stages).toContain(target);
      expect(existsSync(join(ROOT, 'deploy', build?.context ?? '', 'Dockerfile'))).toBe(true);
    }
  });

  it('refers only to services and volumes it declares', () => {
    for (const service of Object.values(services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(services).toHaveProperty(dep);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.')) expect(existsSync(join(ROOT, 'deploy', source))).toBe(true);
        else expect(compose.volumes).toHaveProperty(source);
      }
    }
  });

  it('gives the sync nodes a configuration the server accepts: shared Postgres, Redis, uploads', () => {
    for (const name of ['sync1', 'sync2']) {
      const config = loadConfig(env(name));
      expect(new URL(config.databaseUrl ?? '').hostname).toBe('postgres');
      expect(new URL(config.redisUrl ?? '').hostname).toBe('redis');
      expect(config.port).toBe(3000);
      expect(config.host).toBe('0.0.0.0');
      expect(config.shutdownDrainMs).toBeGreaterThan(0);
      expect(services[name]?.volumes).toContain('uploads:/data/uploads');
    }
    expect(env('sync1')).toEqual(env('sync2'));
  });

  it('gives the SFU a configuration it accepts and publishes its UDP range', () => {
    const config = loadSfuConfig(env('sfu'));
    expect(config.secret).toBe(env('sync1').VOICE_GRANT_SECRET);
    const [min, max] = config.portRange ?? [0, 0];
    expect(services.sfu?.ports).toContain(`${min}-${max}:${min}-${max}/udp`);
    expect(env('sync1').SFU_URLS).toBe(config.publicUrl);
  });

  it('puts Caddy in front: ports 80/443, the Caddyfile routing to the services', () => {
    expect(services.caddy?.ports).toEqual(expect.arrayContaining(['80:80', '443:443']));
    const caddyfile = read('deploy/Caddyfile');
    expect(caddyfile).toMatch(/reverse_proxy sync1:3000 sync2:3000/);
    expect(caddyfile).toMatch(/health_uri \/readyz/);
    expect(caddyfile).toMatch(/reverse_proxy sfu:3001/);
    // Balanced braces: a truncated site block would not load.
    const opens = caddyfile.split('{').length;
    expect(caddyfile.split('}').length).toBe(opens);
    for (const name of ['postgres', 'redis']) expect(services[name]?.healthcheck).toBeDefined();
  });
});
