/**
 * Cold start: from process spawn to the first AdmissionReview answered over HTTPS (polled every
 * 2 ms on a fresh connection), and the idle RSS one second later. Median of several runs.
 */
import { memoryMiB, type Pinning } from './proc.js';
import { startServer, type ServerSpec } from './servers.js';

/** Cold-start figures of one server. */
export interface ColdStart {
  server: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median RSS 1 s after the first answer, MiB. */
  idleRssMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Starts the server `runs` times, one after the other. */
export async function coldStart(spec: ServerSpec, runs: number, pinning: Pinning, idleMs = 1000): Promise<ColdStart> {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await startServer(spec, pinning, { deadlineMs: 30_000, intervalMs: 2 });
    try {
      times.push(server.startMs);
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      rss.push(memoryMiB(server.pid).rss);
    } finally {
      await server.stop();
    }
  }
  return { server: spec.name, runs, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), idleRssMiB: median(rss) };
}
