/** In-process measuring helpers shared by the scale benches (scale.ts, cluster-scale.ts). */

/** The middle value (the upper one of an even count); NaN for none. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** CPU µs this process used since `c0` (all threads): steadier than wall time on a shared machine. */
export function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return c.user + c.system;
}

/**
 * CPU µs per call: a warm-up of `budgetMs / 2` (a freshly compiled Wasm module runs baseline code
 * until V8 tiers it up), then three timed batches of `budgetMs / 3` (at least one call each), the
 * median batch.
 */
export function timeUs(fn: () => void, budgetMs: number): number {
  const warm = performance.now();
  do fn(); while (performance.now() - warm < budgetMs / 2);
  const batches: number[] = [];
  for (let b = 0; b < 3; b++) {
    let n = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    do {
      fn();
      n++;
    } while (performance.now() - t0 < budgetMs / 3);
    batches.push(cpuSince(c0) / n);
  }
  return median(batches);
}

/** A JSON body as the raw bytes the webhook hands the engine. */
export function rawBytes(body: string): ArrayBuffer {
  const buf = Buffer.from(body);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** Resident set size in MiB, after a garbage collection when the process runs with --expose-gc. */
export function rssMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}
