import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, startProcess } from './process.ts';

/** Starts a grandchild that ignores SIGTERM, prints both pids, then waits. */
const parent = [
  '--input-type=module',
  '-e',
  `import { spawn } from 'node:child_process';
   const child = spawn(process.execPath, ['-e', "process.on('SIGTERM',()=>{});setInterval(()=>{},1e6)"], { stdio: 'ignore' });
   console.log('{"level":40,"msg":"a warning"}');
   console.log('ready ' + process.pid + ' ' + child.pid);
   setInterval(() => {}, 1e6);`,
];

/** Running, not gone and not a zombie (an orphan's zombie waits for pid 1, which may never reap it). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('startProcess', () => {
  it('resolves at the ready line and keeps the output and warnings', async () => {
    const proc = await startProcess({ args: parent, ready: /ready (\d+) (\d+)/ });
    expect(Number(proc.match[1])).toBe(proc.child.pid);
    expect(proc.output()).toContain('ready');
    expect(proc.warnings()).toEqual(['{"level":40,"msg":"a warning"}']);
    await proc.kill();
  });

  it('stops the whole process group, a child that ignores SIGTERM included', async () => {
    const proc = await startProcess({ args: parent, ready: /ready (\d+) (\d+)/ });
    const grandchild = Number(proc.match[2]);
    expect(isAlive(grandchild)).toBe(true);
    await proc.stop(10_000);
    expect(proc.child.exitCode !== null || proc.child.signalCode !== null).toBe(true);
    // The group's SIGKILL is sent before stop() resolves.
    await expect.poll(() => isAlive(grandchild)).toBe(false);
  });

  it('rejects with the output when the process exits before it is ready', async () => {
    await expect(
      startProcess({ args: ['-e', 'console.log("no luck"); process.exit(3)'], ready: /never/ }),
    ).rejects.toThrow(/exited \(code 3[\s\S]*no luck/);
  });

  it('rejects when the ready line does not come in time', async () => {
    await expect(
      startProcess({ args: ['-e', 'setInterval(() => {}, 1e6)'], ready: /never/, timeoutMs: 300 }),
    ).rejects.toThrow(/did not start in 300 ms/);
  });
});

describe('freePort', () => {
  it('gives a port nothing listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
  });
});
