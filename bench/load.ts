/**
 * Drives one endpoint with autocannon (keep-alive, HTTPS, fixed connections and duration) after a
 * discarded warm-up, and measures what the server used meanwhile from /proc. Latencies are kept
 * at full resolution from autocannon's per-response event (its own histogram rounds to whole ms).
 */
import autocannon, { type AutocannonRequest } from 'autocannon';
import { bodyCheck, type Endpoint, type Webhook } from './endpoints.js';
import type { Payload } from './payloads.js';
import { CpuMeter, SystemCpuMeter, memoryMiB, onlineCores } from './proc.js';

/** One measured run. */
export interface LoadResult {
  server: string;
  scenario: string;
  connections: number;
  durationS: number;
  /** 2xx answers in the measured window. */
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Connection errors + timeouts + non-2xx + answers that failed the body check. */
  errors: number;
  non2xx: number;
  mismatches: number;
  serverCpuPct: number;
  clientCpuPct: number;
  /** Everything else the machine ran meanwhile (other processes), % of one core. */
  otherCpuPct: number;
  /** Server CPU time per answered request, µs: the cost of one admission, whatever bounds req/s. */
  cpuUsPerRequest: number;
  rssMiB: number;
  peakRssMiB: number;
  /** Mean request body size. */
  bodyBytes: number;
}

export interface LoadOptions {
  connections: number;
  durationS: number;
  warmupS: number;
}

/** Growable buffer of latencies in ms. */
class Latencies {
  private data = new Float64Array(1 << 16);
  length = 0;

  push(ms: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = ms;
  }

  /** p50, p99, p99.9 and max (nearest rank). */
  percentiles(): { p50: number; p99: number; p999: number; max: number } {
    const sorted = this.data.slice(0, this.length).sort();
    const at = (q: number): number => (sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN));
    return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted.length ? (sorted[sorted.length - 1] ?? NaN) : NaN };
  }
}

function requestsFor(endpoint: Endpoint, webhook: Webhook, payloads: Payload[]): AutocannonRequest[] {
  return payloads.filter((p) => p.webhook === webhook).map((p) => ({
    method: 'POST', path: endpoint.path(webhook), headers: { 'content-type': 'application/json' }, body: endpoint.wrap(p.body),
  }));
}

async function once(endpoint: Endpoint, requests: AutocannonRequest[], opts: LoadOptions, durationS: number, check: (b: string) => boolean, latencies?: Latencies) {
  const instance = autocannon({
    url: endpoint.server.baseUrl, connections: opts.connections, duration: durationS, pipelining: 1, timeout: 10, requests, verifyBody: check,
  });
  if (latencies) {
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  }
  return instance;
}

/** Warm-up (discarded), then the measured run. */
export async function drive(endpoint: Endpoint, webhook: Webhook, payloads: Payload[], opts: LoadOptions): Promise<LoadResult> {
  const requests = requestsFor(endpoint, webhook, payloads);
  if (requests.length === 0) throw new Error(`${endpoint.label} has no ${webhook} payloads`);
  const check = bodyCheck(endpoint, webhook);
  if (opts.warmupS > 0) await once(endpoint, requests, opts, opts.warmupS, check);
  const latencies = new Latencies();
  const server = new CpuMeter(endpoint.server.pid);
  const system = new SystemCpuMeter(onlineCores);
  const client0 = process.cpuUsage();
  system.start();
  server.start();
  const t0 = performance.now();
  const result = await once(endpoint, requests, opts, opts.durationS, check, latencies);
  const wallS = (performance.now() - t0) / 1000;
  const serverCpuPct = server.stop();
  const systemCpuPct = system.stop();
  const client = process.cpuUsage(client0);
  const clientCpuPct = ((client.user + client.system) / 1e6 / wallS) * 100;
  const memory = memoryMiB(endpoint.server.pid);
  const ok = result['2xx'];
  return {
    server: endpoint.label, scenario: webhook, connections: opts.connections, durationS: wallS,
    requests: ok, rps: ok / wallS, ...latencies.percentiles(),
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches, non2xx: result.non2xx, mismatches: result.mismatches,
    serverCpuPct, clientCpuPct, otherCpuPct: Math.max(0, systemCpuPct - serverCpuPct - clientCpuPct),
    cpuUsPerRequest: ok > 0 ? (serverCpuPct / 100) * wallS * 1e6 / ok : NaN,
    rssMiB: memory.rss, peakRssMiB: memory.peak,
    bodyBytes: Math.round(requests.reduce((n, r) => n + Buffer.byteLength(r.body ?? ''), 0) / requests.length),
  };
}
