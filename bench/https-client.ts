/**
 * One-shot HTTPS POSTs for checking answers, waiting for a server and timing cold starts. Each
 * call opens its own connection (no agent), accepts the self-signed certificates under test and
 * gives up after `timeoutMs`.
 */
import { request } from 'node:https';

/** Status code and parsed JSON body of one answer. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** POSTs `body` (JSON text) to `url` and parses the answer as JSON (the raw text when it is not). */
export function postJson(url: string, body: string, timeoutMs = 5000): Promise<JsonAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', agent: false, rejectUnauthorized: false, timeout: timeoutMs,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: the caller sees the text.
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Retries a POST until the server answers 200, every `intervalMs`, and resolves with the time of
 * that first answer (performance.now()). Rejects after `deadlineMs` or when `alive()` turns false.
 */
export async function firstAnswer(url: string, body: string, opts: { deadlineMs: number; intervalMs?: number; alive?: () => boolean }): Promise<number> {
  const deadline = performance.now() + opts.deadlineMs;
  let last = 'no attempt';
  while (performance.now() < deadline) {
    if (opts.alive && !opts.alive()) throw new Error(`server exited before answering (${last})`);
    try {
      const answer = await postJson(url, body, 2000);
      if (answer.status === 200) return performance.now();
      last = `HTTP ${answer.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 2));
  }
  throw new Error(`${url} gave no 200 answer within ${opts.deadlineMs} ms (last: ${last})`);
}
