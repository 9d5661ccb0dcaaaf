import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';

/** A child process started in its own process group, with its output in a log file. */
export interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Last lines of the log, for failure messages. */
  tail(lines?: number): string;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Proc>();

// Safety net: a test that throws before its `after` hook still leaves no process behind.
process.on('exit', () => {
  for (const p of running) killGroup(p.child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Starts `command args` detached (own process group), stdout and stderr appended to `logFile`. */
export function startProcess(name: string, command: string, args: string[], opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): Proc {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: opts.env ?? process.env, cwd: opts.cwd });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: Proc = {
    name, child, logFile: opts.logFile,
    tail(lines = 30) {
      try {
        return readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 10_000) {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return proc;
}

/** True while the process has not exited. */
export function alive(p: Proc): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined, or throws after
 * `timeoutMs` with `what` and the last error. `abortIf` lets a dead process end the wait early.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, opts: { timeoutMs: number; intervalMs?: number; abortIf?: () => string | undefined }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    const reason = opts.abortIf?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${opts.timeoutMs} ms${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
