/**
 * The load phase: every server is started (one after the other, each its own process) and its
 * answers checked; then each scenario (webhook x connections) is measured on every server back to
 * back, one server at a time. Comparing measurements taken seconds apart, not minutes apart, keeps
 * slow drifts of a shared or virtual machine out of the ratios.
 */
import type { Endpoint, Webhook } from './endpoints.js';
import { drive, type LoadOptions, type LoadResult } from './load.js';
import type { Payload } from './payloads.js';
import { otherCpuNow, type Pinning } from './proc.js';
import { startServer, type RunningServer, type ServerSpec } from './servers.js';
import { verifyEndpoint } from './verify.js';

/** Other processes using more than this (% of one core) during a run make it noisy. */
export const NOISY_OTHER_CPU = 25;

/** What the load phase needs from the run. */
export interface PhaseCtx {
  pinning: Pinning;
  payloads: Payload[];
  log: (line: string) => void;
}

/** A server to measure and how to ask it. */
export interface Contender {
  spec: ServerSpec;
  endpointsOf: (server: RunningServer) => Endpoint[];
  /** Only these connection counts (default: every one of the run). */
  connections?: number[];
}

export interface PhaseSettings {
  connections: number[];
  durationS: number;
  /** Warm-up before the first run of each endpoint and webhook (JIT and Wasm tier-up). */
  firstWarmupS: number;
  /** Warm-up before every later run. */
  warmupS: number;
  attempts: number;
}

/** Starts a server, checks every answer it gives, and fails loudly when one is wrong. */
export async function startChecked(ctx: PhaseCtx, c: Contender): Promise<{ server: RunningServer; endpoints: Endpoint[] }> {
  const server = await startServer(c.spec, ctx.pinning);
  const endpoints = c.endpointsOf(server);
  const problems = (await Promise.all(endpoints.map((e) => verifyEndpoint(e, ctx.payloads)))).flat();
  if (problems.length > 0) {
    await server.stop();
    throw new Error(`wrong answers, nothing measured:\n  ${problems.join('\n  ')}`);
  }
  return { server, endpoints };
}

/**
 * One measured run, repeated (up to `attempts` times in all) while other processes used more than
 * {@link NOISY_OTHER_CPU} of a core meanwhile; the quietest attempt is kept.
 */
async function quietestRun(ctx: PhaseCtx, endpoint: Endpoint, webhook: Webhook, opts: LoadOptions, attempts: number): Promise<LoadResult> {
  let best = await drive(endpoint, webhook, ctx.payloads, opts);
  for (let attempt = 2; attempt <= attempts && best.otherCpuPct > NOISY_OTHER_CPU; attempt++) {
    ctx.log(`  other processes used ${best.otherCpuPct.toFixed(0)}% of a core meanwhile: attempt ${attempt}`);
    const again = await drive(endpoint, webhook, ctx.payloads, { ...opts, warmupS: Math.min(opts.warmupS, 2) });
    if (again.otherCpuPct < best.otherCpuPct) best = again;
  }
  return best;
}

interface Live {
  contender: Contender;
  server: RunningServer;
  endpoints: Endpoint[];
  restarted: boolean;
}

/** The load phase's results, and what each server wrote to stdout meanwhile. */
export interface PhaseResult {
  load: LoadResult[];
  output: Record<string, { bytes: number; lines: number }>;
}

/** Measures every scenario on every contender, interleaved; stops every server at the end. */
export async function runLoadPhase(ctx: PhaseCtx, contenders: Contender[], s: PhaseSettings): Promise<PhaseResult> {
  const live: Live[] = [];
  const out: LoadResult[] = [];
  const warmed = new Set<string>();
  try {
    for (const contender of contenders) live.push({ contender, ...(await startChecked(ctx, contender)), restarted: false });
    for (const webhook of ['validate', 'mutate'] as const) {
      for (const connections of s.connections) {
        for (const l of live) {
          for (let i = 0; i < l.endpoints.length; i++) {
            if (!l.endpoints[i]?.webhooks.includes(webhook)) continue;
            if (l.contender.connections && !l.contender.connections.includes(connections)) continue;
            const key = `${l.endpoints[i]?.label} ${webhook}`;
            const opts = { connections, durationS: s.durationS, warmupS: warmed.has(key) ? s.warmupS : s.firstWarmupS };
            warmed.add(key);
            ctx.log(`load: ${l.endpoints[i]?.label} /${webhook} c=${connections}`);
            out.push(await measure(ctx, l, i, webhook, opts, s.attempts));
          }
        }
      }
    }
  } finally {
    await Promise.all(live.map((l) => l.server.stop()));
  }
  return { load: out, output: Object.fromEntries(live.map((l) => [l.contender.spec.name, { ...l.server.output }])) };
}

async function measure(ctx: PhaseCtx, l: Live, i: number, webhook: Webhook, opts: LoadOptions, attempts: number): Promise<LoadResult> {
  try {
    return await quietestRun(ctx, l.endpoints[i] as Endpoint, webhook, opts, attempts);
  } catch (err) {
    // Something outside the benchmark may end a server on a shared machine: restart it once.
    if (l.server.alive() || l.restarted) throw err;
    ctx.log(`  ${l.contender.spec.name} exited during the run (${l.server.exitReason()}): restarting it once`);
    l.restarted = true;
    Object.assign(l, await startChecked(ctx, l.contender));
    return quietestRun(ctx, l.endpoints[i] as Endpoint, webhook, opts, attempts);
  }
}

/** Waits (up to `minutes`) until other processes use less than {@link NOISY_OTHER_CPU} of a core. */
export async function waitQuiet(minutes: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + minutes * 60_000;
  for (;;) {
    const other = await otherCpuNow();
    if (other < NOISY_OTHER_CPU) return;
    if (Date.now() > deadline) {
      log(`other processes still use ${other.toFixed(0)}% of a core after ${minutes} min: measuring anyway`);
      return;
    }
    log(`other processes use ${other.toFixed(0)}% of a core: waiting for a quieter moment`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}
