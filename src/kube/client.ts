import http from 'node:http';
import https from 'node:https';
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';

/** Accept header for metadata-only lists (`PartialObjectMetadataList`): no spec, no data. */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
/** Accept header for metadata-only single objects and watch events. */
export const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/**
 * Loads a kubeconfig: the given file, else in-cluster (service account) when running in a pod, else
 * $KUBECONFIG or ~/.kube/config. Throws MG_ERR_KUBE_CONFIG when none is usable (client-node's own
 * fallback to http://localhost:8080 is not accepted: it is never what the user meant).
 */
export function loadKubeConfig(file?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file) {
      if (!existsSync(file)) throw new Error(`${file} does not exist`);
      kc.loadFromFile(file);
    } else if (env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG) {
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    throw new MeshguardError(ErrorCodes.KUBE_CONFIG, `cannot load kubeconfig${file ? ` ${file}` : ''}: ${describeError(err)}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster || (cluster.name === 'cluster' && cluster.server === 'http://localhost:8080')) {
    throw new MeshguardError(ErrorCodes.KUBE_CONFIG, 'no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
  }
  return kc;
}

/** An HTTP error answer from the API server, with its status code and the Status reason. */
export class KubeApiError extends MeshguardError {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(ErrorCodes.KUBE_API, message, { statusCode: status });
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Whole-request deadline (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** One event of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/**
 * A small Kubernetes REST client on node:https with client-node's KubeConfig for endpoints and
 * credentials (client certificates, bearer tokens, rotated in-cluster tokens, proxies).
 *
 * Why not client-node's generated clients and informer: meshguard needs (1) metadata-only lists
 * and watches (an `Accept` header those APIs do not let one set), so Secret data never enters the
 * process; (2) a deadline on every request, so an unreachable API server shows up as an error
 * instead of a hang; (3) streamed watches feeding one cache (the Inventory) rather than a second
 * copy inside each informer.
 */
export class KubeHttp {
  constructor(readonly kc: KubeConfig) {}

  /** The API server URL of the current context. */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /**
   * Sends a request and parses the JSON answer; a non-2xx answer throws a KubeApiError. A 429 (API
   * priority and fairness, or a watch cache still initializing after a CRD was installed) is
   * retried as client-go does, after its Retry-After (capped at 5 s), at most 5 times.
   */
  async request<T = unknown>(path: string, opts: RequestOptions = {}): Promise<{ body: T; headers: http.IncomingHttpHeaders }> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.open(path, opts);
      const text = await readBody(res, opts.timeoutMs ?? 30_000, path);
      const parsed = text ? safeJson(text) : undefined;
      if (res.statusCode === 429 && attempt < 5 && !opts.signal?.aborted) {
        const seconds = Number(res.headers['retry-after']);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000)));
        continue;
      }
      return this.answer<T>(opts, path, res, text, parsed);
    }
  }

  private answer<T>(opts: RequestOptions, path: string, res: http.IncomingMessage, text: string, parsed: unknown): { body: T; headers: http.IncomingHttpHeaders } {
    if ((res.statusCode ?? 0) >= 300) throw apiError(opts.method ?? 'GET', path, res.statusCode ?? 0, parsed, text);
    if (text && parsed === undefined) throw new MeshguardError(ErrorCodes.KUBE_API, `${opts.method ?? 'GET'} ${path}: the answer is not JSON`);
    return { body: parsed as T, headers: res.headers };
  }

  /** GET and parse. */
  async get<T = unknown>(path: string, opts: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return (await this.request<T>(path, opts)).body;
  }

  /**
   * Lists a collection page by page (limit 500), calling `onItems` per page so callers can
   * transform items before the next page arrives. Returns the list's resourceVersion.
   */
  async list(path: string, onItems: (items: Record<string, unknown>[], kind: string) => void, opts: { accept?: string; signal?: AbortSignal; query?: RequestOptions['query'] } = {}): Promise<string> {
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.get<{ kind?: string; items?: Record<string, unknown>[]; metadata?: { continue?: string; resourceVersion?: string } }>(path, {
        query: { ...opts.query, limit: 500, continue: token }, accept: opts.accept, signal: opts.signal, timeoutMs: 60_000,
      });
      onItems(page.items ?? [], page.kind ?? '');
      token = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (token);
    return resourceVersion;
  }

  /**
   * Runs one watch request until the server ends it (after `timeoutSeconds`), the signal aborts it,
   * or no byte arrives for `idleMs`. Resolves on a normal end; rejects on errors. `onOpen` runs once
   * the server has accepted the watch.
   */
  async watch(path: string, query: RequestOptions['query'], onEvent: (e: WatchEvent) => void, opts: { accept?: string; signal?: AbortSignal; idleMs: number; onOpen?: () => void }): Promise<void> {
    const res = await this.open(path, { query: { ...query, watch: 1 }, accept: opts.accept, signal: opts.signal, timeoutMs: opts.idleMs });
    if ((res.statusCode ?? 0) >= 300) {
      const text = await readBody(res, 10_000, path);
      throw apiError('GET', path, res.statusCode ?? 0, safeJson(text), text);
    }
    opts.onOpen?.();
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      // An error thrown by onEvent (e.g. a 410 Gone event) ends the watch and is passed on as is.
      let failure: Error | undefined;
      const idle = (): void => void res.destroy(new MeshguardError(ErrorCodes.KUBE_UNREACHABLE, `watch ${path}: no data for ${opts.idleMs} ms`));
      let timer = setTimeout(idle, opts.idleMs);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        clearTimeout(timer);
        timer = setTimeout(idle, opts.idleMs);
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          const event = safeJson(line) as WatchEvent | undefined;
          if (!event?.type || !event.object) continue;
          try {
            onEvent(event);
          } catch (err) {
            failure = err instanceof Error ? err : new Error(describeError(err));
            res.destroy();
            return;
          }
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(failure ?? classify(err, this.server, path));
      });
      res.on('close', () => {
        clearTimeout(timer);
        if (failure) reject(failure);
        else if (opts.signal?.aborted) resolve();
        else if (!res.complete) reject(new MeshguardError(ErrorCodes.KUBE_UNREACHABLE, `watch ${path}: connection closed`));
      });
    });
  }

  private async open(path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const base = this.server;
    const url = new URL(base.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const httpsOpts: https.RequestOptions & { headers?: Record<string, string> } = {};
    try {
      await this.kc.applyToHTTPSOptions(httpsOpts);
    } catch (err) {
      throw new MeshguardError(ErrorCodes.KUBE_CONFIG, `cannot apply kubeconfig credentials: ${describeError(err)}`);
    }
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = {
      ...(httpsOpts.headers as Record<string, string> | undefined),
      accept: opts.accept ?? 'application/json',
      'user-agent': 'meshguard',
      ...(payload !== undefined ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
    };
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method: opts.method ?? 'GET', headers, agent: httpsOpts.agent, auth: httpsOpts.auth, signal: opts.signal });
      const deadline = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${opts.timeoutMs ?? 30_000} ms`), { code: 'ETIMEDOUT' })), opts.timeoutMs ?? 30_000);
      req.on('response', (res) => {
        clearTimeout(deadline);
        resolve(res);
      });
      req.on('error', (err) => {
        clearTimeout(deadline);
        reject(classify(err, base, path));
      });
      req.end(payload);
    });
  }
}

function readBody(res: http.IncomingMessage, timeoutMs: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => res.destroy(new MeshguardError(ErrorCodes.KUBE_UNREACHABLE, `${path}: body not received within ${timeoutMs} ms`)), timeoutMs);
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiError(method: string, path: string, status: number, parsed: unknown, text: string): KubeApiError {
  const s = (parsed ?? {}) as { message?: string; reason?: string };
  const message = s.message ?? text.slice(0, 200).trim();
  return new KubeApiError(status, s.reason ?? '', `${method} ${path}: HTTP ${status}${s.reason ? ` ${s.reason}` : ''}: ${message}`);
}

/** Network and TLS failures become MG_ERR_KUBE_UNREACHABLE with the server named. */
function classify(err: unknown, server: string, path: string): Error {
  if (err instanceof MeshguardError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') return e;
  const code = e?.code ?? '';
  const what = NETWORK_ERRORS.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') ? 'cannot reach' : 'request failed to';
  return new MeshguardError(ErrorCodes.KUBE_UNREACHABLE, `${what} the Kubernetes API at ${server} (${path}): ${code ? `${code} ` : ''}${describeError(err)}`, { cause: err });
}

/** True when the error means "the API server could not be reached" (not an HTTP answer). */
export function isUnreachable(err: unknown): boolean {
  return err instanceof MeshguardError && err.code === ErrorCodes.KUBE_UNREACHABLE;
}
