import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository's root folder (every process starts there). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Environment for a child: `undefined` removes a variable the parent has. */
export type Env = Record<string, string | undefined>;

export interface StartProcessOptions {
  /**
   * Node's arguments. A `.ts` entry alone (relative to the repository root or
   * absolute) runs with `--import tsx`, so the pid is the program itself.
   */
  args: string[];
  /** Resolves once one output line matches; the match is kept in `match`. */
  ready: RegExp;
  /** Merged over `process.env`. */
  env?: Env;
  /** How long `ready` may take (default 150 s: PGlite migrating on a loaded 2-core machine). */
  timeoutMs?: number;
  /** Output lines kept for `output()` (default 400). */
  logLines?: number;
  /** Named in errors. */
  name?: string;
  /** Opens Node's IPC channel to the child (`child.send`, `process.on('message')` there). */
  ipc?: boolean;
}

/** A child process in a process group of its own, with its output captured. */
export interface RunningProcess {
  child: ChildProcess;
  /** The output line that matched `ready`. */
  match: RegExpExecArray;
  /** The last `logLines` lines the process printed (stdout and stderr). */
  output: () => string;
  /** Every line logged at pino level warn or above (40, 50, 60), however long ago (up to 1,000). */
  warnings: () => string[];
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs` (default 5 s); resolves once it exited. */
  stop: (graceMs?: number) => Promise<void>;
  /** SIGKILL to the group; resolves once it exited. */
  kill: () => Promise<void>;
}

const warningLine = /"level":(4|5|6)0\b/;

/**
 * Spawns `node <args>` detached (its own process group, so stopping it also
 * ends anything it started) and resolves at the first output line matching
 * `ready`. If it exits or times out first, the group is killed and the error
 * carries the output.
 */
export function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  const { ready, timeoutMs = 150_000, logLines = 400 } = options;
  const args =
    options.args.length === 1 && options.args[0]?.endsWith('.ts')
      ? ['--import', 'tsx', ...options.args]
      : options.args;
  const name = options.name ?? args.at(-1) ?? 'process';
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: childEnv(options.env ?? {}),
    detached: true,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const warnings: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  const keep = (line: string): void => {
    if (line.trim() === '') return;
    lines.push(line);
    if (lines.length > logLines) lines.shift();
    if (warningLine.test(line) && warnings.length < 1000) warnings.push(line);
    for (const wake of waiting) wake(line);
  };
  // Chunks end anywhere: a line is kept once its newline (or the end of the stream) arrives.
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      parts.forEach(keep);
    });
    stream?.on('end', () => keep(partial));
  }
  const output = (): string => lines.join('\n');
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;

  const kill = async (): Promise<void> => {
    if (alive()) signalGroup(child, 'SIGKILL');
    await exited;
  };
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (alive()) {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    // Anything the process started and left behind goes with the group.
    signalGroup(child, 'SIGKILL');
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void kill().then(() => reject(new Error(`${name} ${why}\n--- output ---\n${output()}`)));
    };
    const timer = setTimeout(() => fail(`did not start in ${timeoutMs} ms`), timeoutMs);
    child.once('error', (error) => fail(`could not start: ${String(error)}`));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
    waiting.push((line) => {
      const match = ready.exec(line);
      if (match === null || settled) return;
      settled = true;
      clearTimeout(timer);
      waiting.length = 0;
      resolve({ child, match, output, warnings: () => [...warnings], exited, stop, kill });
    });
  });
}

/** A free TCP port on 127.0.0.1, for programs that cannot be told to pick port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function childEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...env }))
    if (value !== undefined) out[key] = value;
  return out;
}
