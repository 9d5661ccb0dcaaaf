/**
 * Process facts from /proc (Linux): CPU time, resident and peak memory, and CPU pinning. The
 * benchmarks read a server's own counters instead of trusting what it reports about itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';

let ticksPerSecond: number | undefined;

/** Clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** user + system CPU seconds a process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks();
}

/** Memory of a process from /proc/<pid>/status, in MiB: current RSS and its peak (VmHWM). */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Measures CPU use of a process between `start()` and `stop()`, as % of one core. */
export class CpuMeter {
  private cpu0 = 0;
  private wall0 = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.cpu0 = cpuSeconds(this.pid);
    this.wall0 = performance.now();
  }

  stop(): number {
    const cpu = cpuSeconds(this.pid) - this.cpu0;
    const wall = (performance.now() - this.wall0) / 1000;
    return wall > 0 ? (cpu / wall) * 100 : 0;
  }
}

/**
 * Jiffies of all cores together from the first line of /proc/stat: `busy` is user + nice + system
 * + steal (processes and the hypervisor), leaving out irq and softirq, which on a loopback
 * benchmark are mostly the benchmark's own network traffic.
 */
function systemJiffies(): { busy: number; total: number } {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  return { busy: user + nice + system + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/**
 * CPU used by processes on the whole machine between `start()` and `stop()`, in % of one core (so
 * 200% is two busy cores). Minus the server's and the client's own use, it shows how much else ran.
 */
export class SystemCpuMeter {
  private j0 = { busy: 0, total: 0 };

  constructor(private readonly cores: number) {}

  start(): void {
    this.j0 = systemJiffies();
  }

  stop(): number {
    const j = systemJiffies();
    const total = j.total - this.j0.total;
    return total > 0 ? ((j.busy - this.j0.busy) / total) * this.cores * 100 : 0;
  }
}

/** CPU other processes use right now (% of one core), sampled over `ms`. */
export async function otherCpuNow(ms = 3000): Promise<number> {
  const meter = new SystemCpuMeter(onlineCores);
  const self0 = process.cpuUsage();
  meter.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const self = process.cpuUsage(self0);
  return Math.max(0, meter.stop() - ((self.user + self.system) / 1000 / ms) * 100);
}

/** Cores online, counted before this process pins itself (os.availableParallelism follows affinity). */
export const onlineCores = os.availableParallelism();

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * CPU pinning plan: with two or more cores and `taskset` present, the load generator (this process)
 * runs on core 0 and each server on core 1, so a server never competes with its own client.
 */
export interface Pinning {
  enabled: boolean;
  /** Argument prefix for spawning a server (`taskset -c 1`), empty when not pinned. */
  serverPrefix: string[];
  describe: string;
}

/** Pins this process (all its threads) to core 0 and returns the plan for servers. */
export function setUpPinning(wanted: boolean): Pinning {
  const cores = onlineCores;
  if (!wanted) return { enabled: false, serverPrefix: [], describe: 'not pinned (--no-pin)' };
  if (cores < 2) return { enabled: false, serverPrefix: [], describe: `not pinned (${cores} core)` };
  try {
    execFileSync('taskset', ['-a', '-c', '-p', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return { enabled: false, serverPrefix: [], describe: 'not pinned (taskset unavailable)' };
  }
  const last = cores - 1;
  return {
    enabled: true,
    serverPrefix: ['taskset', '-c', String(last)],
    describe: `load generator on core 0, server under test on core ${last} (taskset)`,
  };
}
