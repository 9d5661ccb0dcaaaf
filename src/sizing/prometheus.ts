/**
 * A small Prometheus HTTP API client (`/api/v1/query`, `/api/v1/query_range`) for the background
 * recommender. Every failure (unreachable, HTTP error, a PromQL error, an unexpected body) becomes
 * one MeshguardError SIZING_PROMETHEUS with a readable message; nothing here runs on the admission
 * path.
 */
import { readFile } from 'node:fs/promises';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { isRecord } from '../inventory/objects.js';
import type { SizingConfig } from './config.js';

/** One series: its labels and its `[unix seconds, value]` samples. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: ReadonlyArray<readonly [number, number]>;
}

/** What the recommender asks of Prometheus (tests may hand in their own). */
export interface PrometheusApi {
  /** An instant query at `time` (unix seconds). */
  query(promql: string, time: number): Promise<Series[]>;
  /** A range query from `start` to `end` (unix seconds) every `step` seconds. */
  queryRange(promql: string, start: number, end: number, step: number): Promise<Series[]>;
}

function sizingError(message: string, cause?: unknown): MeshguardError {
  return new MeshguardError(ErrorCodes.SIZING_PROMETHEUS, message, cause === undefined ? {} : { cause });
}

function toSeries(result: unknown): Series[] {
  if (!Array.isArray(result)) throw sizingError('Prometheus answered without a result list');
  return result.map((r: unknown) => {
    if (!isRecord(r) || !isRecord(r.metric)) throw sizingError('Prometheus answered a series without labels');
    const raw = Array.isArray(r.values) ? r.values : Array.isArray(r.value) ? [r.value] : [];
    const samples = raw.map((s: unknown): [number, number] => {
      if (!Array.isArray(s) || s.length !== 2) throw sizingError('Prometheus answered a malformed sample');
      return [Number(s[0]), Number(s[1])];
    }).filter(([, v]) => Number.isFinite(v));
    return { labels: r.metric as Record<string, string>, samples };
  });
}

/** The Prometheus HTTP API at `config.url`, with the configured bearer token or basic auth. */
export class PrometheusClient implements PrometheusApi {
  constructor(private readonly config: SizingConfig['prometheus']) {}

  query(promql: string, time: number): Promise<Series[]> {
    return this.call('/api/v1/query', { query: promql, time: String(time) });
  }

  queryRange(promql: string, start: number, end: number, step: number): Promise<Series[]> {
    return this.call('/api/v1/query_range', { query: promql, start: String(start), end: String(end), step: String(step) });
  }

  private async headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const { bearerTokenFile, basicAuth } = this.config;
    const secret = async (file: string): Promise<string> => (await readFile(file, 'utf8').catch((err: unknown) => {
      throw sizingError(`cannot read the Prometheus credentials file ${file}: ${describeError(err)}`, err);
    })).trim();
    if (bearerTokenFile) headers.authorization = `Bearer ${await secret(bearerTokenFile)}`;
    else if (basicAuth.username) {
      const password = basicAuth.passwordFile ? await secret(basicAuth.passwordFile) : '';
      headers.authorization = `Basic ${Buffer.from(`${basicAuth.username}:${password}`).toString('base64')}`;
    }
    return headers;
  }

  private async call(route: string, params: Record<string, string>): Promise<Series[]> {
    const url = `${this.config.url.replace(/\/+$/, '')}${route}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST', headers: await this.headers(), body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.config.timeoutSeconds * 1000),
      });
    } catch (err) {
      if (err instanceof MeshguardError) throw err;
      const cause = isRecord(err) && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw sizingError(`Prometheus at ${this.config.url} is unreachable (${describeError(err)}${cause})`, err);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw sizingError(`Prometheus at ${this.config.url} answered HTTP ${response.status} without a JSON body`);
    }
    if (!isRecord(body) || body.status !== 'success' || !isRecord(body.data)) {
      const reason = isRecord(body) && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      throw sizingError(`Prometheus rejected the query ${JSON.stringify(params.query)}: ${reason}`);
    }
    return toSeries(body.data.result);
  }
}
