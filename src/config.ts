import { DEFAULT_ISTIO_ROOT_NAMESPACE } from './mesh/facts.js';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, MeshguardError, describeError } from './errors.js';
import { DEFAULT_EXEMPTION_NAMESPACE } from './policy/exemption-grants.js';
import { parseTarget } from './snapshot/store.js';

/** meshguard's validated, frozen runtime configuration. */
export interface Config {
  readonly mode: 'server' | 'serverless';
  readonly host: string;
  readonly port: number;
  readonly probePort: number;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly policyBundle: string | undefined;
  readonly orgConfig: string | undefined;
  readonly bodyLimit: number;
  readonly failureMode: 'deny' | 'allow';
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly kube: 'auto' | 'on' | 'off';
  readonly kubeconfig: string | undefined;
  readonly webhookName: string;
  readonly selfCheck: 'off' | 'report' | 'patch';
  readonly auditInterval: number;
  readonly policyMemoryMiB: number;
  readonly dataDebounceMs: number;
  readonly watchIntervalMs: number;
  readonly shutdownGraceMs: number;
  readonly exemptionNamespace: string;
  /** Namespaces whose Secrets (metadata only) the cluster view watches; ['*'] = every namespace. */
  readonly secretNamespaces: readonly string[];
  /** Istio's root namespace, where the mesh config ConfigMaps live. */
  readonly istioRootNamespace: string;
  readonly connectionTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;
  readonly evaluationWorkers: number;
  readonly evaluationTimeoutMs: number;
  readonly evaluationQueueLimit: number;
  /** on: Secrets in secretNamespaces are read with data, reduced to TLS facts as they arrive. */
  readonly secretTlsFacts: 'off' | 'on';
  /** Serverless: file or HTTP(S) URL of the cluster snapshot decisions rely on. */
  readonly snapshot: string | undefined;
  readonly snapshotMaxAgeSeconds: number;
  readonly snapshotRefreshSeconds: number;
  /** Server: where the cluster view is written as a snapshot every snapshotInterval seconds. */
  readonly snapshotOutput: string | undefined;
  readonly snapshotInterval: number;
}

type Kind = 'string' | 'int' | 'enum' | 'path' | 'namespace' | 'namespaces';

interface Setting {
  key: keyof Config;
  kind: Kind;
  default: string | number | undefined;
  values?: readonly string[];
  min?: number;
  max?: number;
  doc: string;
}

/**
 * Every setting: one name in the config file (`key`), one env var (MESHGUARD_<KEY_IN_SNAKE>), one
 * flag (--key-in-kebab) and one Helm value. The README's configuration reference is this table.
 */
export const SETTINGS: readonly Setting[] = [
  { key: 'mode', kind: 'enum', default: 'server', values: ['server', 'serverless'], doc: 'server: HTTPS admission port plus a probe port, watchers and the cluster view. serverless: one plain-HTTP port (TLS ends at the platform\'s URL) serving admission and probes, stateless, no watchers, no cluster view; listens on $PORT when set.' },
  { key: 'host', kind: 'string', default: '0.0.0.0', doc: 'Address both listeners bind to.' },
  { key: 'port', kind: 'int', default: 8443, min: 0, max: 65535, doc: 'HTTPS port for /mutate and /validate (0 picks a free port).' },
  { key: 'probePort', kind: 'int', default: 8080, min: 0, max: 65535, doc: 'Plain-HTTP port for /livez, /readyz and /metrics (0 picks a free port).' },
  { key: 'tlsCertFile', kind: 'path', default: undefined, doc: 'PEM serving certificate; reloaded when the file changes. Unset: a self-signed localhost certificate is generated.' },
  { key: 'tlsKeyFile', kind: 'path', default: undefined, doc: 'PEM private key for tlsCertFile.' },
  { key: 'policyBundle', kind: 'path', default: undefined, doc: 'Policy bundle (opa build -t wasm); watched and hot-swapped. Unset: the built-in pack.' },
  { key: 'orgConfig', kind: 'path', default: undefined, doc: 'Organisation config YAML, deep-merged over config/org-config.yaml; watched.' },
  { key: 'bodyLimit', kind: 'int', default: 3 * 1024 * 1024, min: 1024, max: 64 * 1024 * 1024, doc: 'Largest accepted request body in bytes (413 above it).' },
  { key: 'failureMode', kind: 'enum', default: 'deny', values: ['deny', 'allow'], doc: 'Answer when a policy or mutation cannot be evaluated: deny (allowed:false) or allow (allowed:true with a warning).' },
  { key: 'logLevel', kind: 'enum', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], doc: 'pino log level.' },
  { key: 'kube', kind: 'enum', default: 'auto', values: ['auto', 'on', 'off'], doc: 'Cluster view (informers, self-check, audit): auto = on inside a cluster or with a kubeconfig.' },
  { key: 'kubeconfig', kind: 'path', default: undefined, doc: 'kubeconfig file for the cluster view (default: in-cluster service account).' },
  { key: 'webhookName', kind: 'string', default: 'meshguard', doc: 'Name prefix of the webhook configurations the chart creates (self-check target).' },
  { key: 'selfCheck', kind: 'enum', default: 'report', values: ['off', 'report', 'patch'], doc: 'Check that the webhook configurations point at this server with its CA; patch only the CA bundle when set to patch.' },
  { key: 'auditInterval', kind: 'int', default: 0, min: 0, max: 86400, doc: 'Seconds between background audits of the cluster (0 = off).' },
  { key: 'policyMemoryMiB', kind: 'int', default: 256, min: 16, max: 4096, doc: 'Cap on the policy engine\'s WebAssembly memory.' },
  { key: 'dataDebounceMs', kind: 'int', default: 250, min: 0, max: 60000, doc: 'Delay that batches cluster changes before they are pushed to the policy engine.' },
  { key: 'watchIntervalMs', kind: 'int', default: 2000, min: 100, max: 600000, doc: 'Poll interval for certificate, bundle and org-config file changes.' },
  { key: 'shutdownGraceMs', kind: 'int', default: 5000, min: 0, max: 600000, doc: 'On SIGTERM: time readiness is false before listeners close.' },
  { key: 'exemptionNamespace', kind: 'namespace', default: DEFAULT_EXEMPTION_NAMESPACE, doc: 'The only namespace whose Exemption objects (policy.meshguard.io) are honoured and watched; the chart sets its own namespace.' },
  { key: 'secretNamespaces', kind: 'namespaces', default: 'istio-system', doc: 'Comma-separated namespaces where gateways live: the cluster view watches Secret metadata only there (* = every namespace). gw-credential-secret stays silent for gateways elsewhere.' },
  { key: 'connectionTimeoutMs', kind: 'int', default: 30000, min: 100, max: 600000, doc: 'Both listeners: a connection with no traffic for this long (TLS handshake, a request or response stalled) is closed; idle keep-alive connections follow keepAliveTimeoutMs.' },
  { key: 'keepAliveTimeoutMs', kind: 'int', default: 100000, min: 100, max: 600000, doc: 'Both listeners: an idle keep-alive connection is closed after this long. Longer than the API server\'s 90 s idle timeout, so the client closes idle connections, not meshguard.' },
  { key: 'headersTimeoutMs', kind: 'int', default: 5000, min: 100, max: 600000, doc: 'Both listeners: a request whose headers have not all arrived after this long is answered 408 and its connection closed. At most requestTimeoutMs.' },
  { key: 'requestTimeoutMs', kind: 'int', default: 10000, min: 100, max: 600000, doc: 'Both listeners: a request whose whole body has not arrived after this long is answered 408 and its connection closed (a stalled body holds no memory longer).' },
  { key: 'maxInFlight', kind: 'int', default: 64, min: 1, max: 100000, doc: 'Admission requests received or evaluated at once; one more is answered 503 at once (never buffered). With bodyLimit, bounds the memory request bodies hold.' },
  { key: 'evaluationWorkers', kind: 'int', default: Math.min(os.availableParallelism(), 64), min: 0, max: 64, doc: 'Most worker threads that evaluate policies, each with its own Wasm instance and a copy of the policy data (default: the CPUs available, os.availableParallelism()); one starts with the server, the others when an evaluation has to wait for a free worker. 0 evaluates on the event loop: unsafe, as one slow evaluation then stalls every request, the probes and shutdown, and no deadline applies.' },
  { key: 'evaluationTimeoutMs', kind: 'int', default: 2000, min: 10, max: 30000, doc: 'Deadline of one policy evaluation, queue wait included; past it the request is answered per failureMode and the worker is replaced. Keep it well below the webhook timeoutSeconds.' },
  { key: 'evaluationQueueLimit', kind: 'int', default: 256, min: 0, max: 100000, doc: 'Evaluations that may wait for a busy worker; one more is answered at once per failureMode (overloaded).' },
  { key: 'istioRootNamespace', kind: 'namespace', default: DEFAULT_ISTIO_ROOT_NAMESPACE, doc: 'Istio\'s root namespace: the cluster view reads Istio\'s mesh config there (ConfigMaps istio and istio-sidecar-injector only), for rules and mutators that depend on it.' },
  { key: 'secretTlsFacts', kind: 'enum', default: 'off', values: ['off', 'on'], doc: 'on: the cluster view reads the data of the Secrets in secretNamespaces (the service account then reads TLS key material there) and keeps only their TLS facts (certificate and key present, certificate parses, validity period), so gw-credential-invalid (IST0161) judges gateway credentials in the cluster; the data is dropped as it arrives. off: Secret metadata only, and gw-credential-invalid is offline-only.' },
  { key: 'snapshot', kind: 'string', default: undefined, doc: 'Serverless: the cluster snapshot (written by `meshguard snapshot` or snapshotOutput) as a file path (e.g. a mounted ConfigMap or Secret) or an HTTP(S) URL, read at start (requests wait for it) and again every snapshotRefreshSeconds (If-None-Match). Unset: no cluster context, and cross-resource decisions answer per failureMode.' },
  { key: 'snapshotMaxAgeSeconds', kind: 'int', default: 300, min: 1, max: 604800, doc: 'Serverless: oldest cluster snapshot (counted from when it was taken) decisions may rely on; past it they answer per failureMode. Shown in /readyz, meshguard_snapshot_age_seconds and the snapshot-age-seconds audit annotation.' },
  { key: 'snapshotRefreshSeconds', kind: 'int', default: 30, min: 1, max: 86400, doc: 'Serverless: seconds between conditional reads of the snapshot (unchanged bytes or a 304 cost no parse).' },
  { key: 'snapshotOutput', kind: 'string', default: undefined, doc: 'Server: where the cluster view is written as a snapshot every snapshotInterval seconds: a file path, configmap:<namespace>/<name> or secret:<namespace>/<name> (at most 1 MiB compressed), or an HTTP(S) URL (PUT).' },
  { key: 'snapshotInterval', kind: 'int', default: 0, min: 0, max: 86400, doc: 'Server: seconds between snapshot writes to snapshotOutput once the informers have synced (0 = off). Keep it well below the readers\' snapshotMaxAgeSeconds.' },
];

/** MESHGUARD_<SNAKE_CASE> for a setting key. */
export function envName(key: string): string {
  return `MESHGUARD_${key.replace(/([A-Z])/g, '_$1').toUpperCase()}`;
}

/** --kebab-case flag for a setting key; a unit suffix is one word (`policyMemoryMiB`: `--policy-memory-mib`). */
export function flagName(key: string): string {
  return `--${key.replace(/MiB$/, 'Mib').replace(/([A-Z])/g, '-$1').toLowerCase()}`;
}

/**
 * The flag a setting had before {@link flagName} kept unit suffixes whole (`--policy-memory-mi-b`),
 * when it differs; still accepted, not shown in help. Commander names its value `key` itself.
 */
export function legacyFlagName(key: string): string | undefined {
  const legacy = `--${key.replace(/([A-Z])/g, '-$1').toLowerCase()}`;
  return legacy === flagName(key) ? undefined : legacy;
}

/**
 * Builds the configuration from, in order of precedence: flags, MESHGUARD_* environment variables,
 * then the YAML file named by `--config`/MESHGUARD_CONFIG, then defaults. Throws
 * MG_ERR_CONFIG_INVALID naming the option and its source on the first bad value.
 */
export function loadConfig(flags: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const configFile = (flags.config as string | undefined) ?? env.MESHGUARD_CONFIG;
  const fileValues = configFile ? readConfigFile(configFile) : {};
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const fromFlag = flags[s.key];
    const fromEnv = env[envName(s.key)];
    const fromFile = fileValues[s.key];
    let raw: unknown = s.default;
    let source = 'default';
    if (fromFlag !== undefined) [raw, source] = [fromFlag, `flag ${flagName(s.key)}`];
    else if (fromEnv !== undefined && fromEnv !== '') [raw, source] = [fromEnv, `env ${envName(s.key)}`];
    else if (fromFile !== undefined) [raw, source] = [fromFile, `${configFile}: ${s.key}`];
    out[s.key] = coerce(s, raw, source);
  }
  const unknown = Object.keys(fileValues).filter((k) => !SETTINGS.some((s) => s.key === k));
  if (unknown.length > 0) throw invalid(`${configFile}: unknown setting ${unknown.join(', ')}`);
  if (out.mode === 'serverless' && flags.port === undefined && env.MESHGUARD_PORT === undefined && fileValues.port === undefined && env.PORT) {
    out.port = coerce(SETTINGS.find((s) => s.key === 'port') as Setting, env.PORT, 'env PORT');
  }
  if ((out.headersTimeoutMs as number) > (out.requestTimeoutMs as number)) {
    throw invalid(`headersTimeoutMs (${String(out.headersTimeoutMs)}) must not exceed requestTimeoutMs (${String(out.requestTimeoutMs)})`);
  }
  if (Boolean(out.snapshotOutput) !== ((out.snapshotInterval as number) > 0)) {
    throw invalid('snapshotOutput and snapshotInterval (above 0) must be set together');
  }
  if (out.snapshotOutput) parseTarget(out.snapshotOutput as string);
  if (Boolean(out.tlsCertFile) !== Boolean(out.tlsKeyFile)) {
    throw invalid('tlsCertFile and tlsKeyFile must be set together');
  }
  return Object.freeze(out) as unknown as Config;
}

function coerce(s: Setting, raw: unknown, source: string): unknown {
  if (raw === undefined) return undefined;
  switch (s.kind) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(String(raw).trim()) ? Number(String(raw).trim()) : NaN;
      if (!Number.isInteger(n) || (s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
        throw invalid(`${s.key} (${source}) must be a whole number from ${s.min} to ${s.max}, got ${JSON.stringify(raw)}`);
      }
      return n;
    }
    case 'enum':
      if (!s.values?.includes(String(raw))) {
        throw invalid(`${s.key} (${source}) must be one of ${s.values?.join(', ')}, got ${JSON.stringify(raw)}`);
      }
      return String(raw);
    case 'namespace':
      if (typeof raw !== 'string' || !DNS_LABEL.test(raw)) throw invalid(`${s.key} (${source}) must be a namespace name (DNS label), got ${JSON.stringify(raw)}`);
      return raw;
    case 'namespaces':
      return namespaceList(s, raw, source);
    default:
      if (typeof raw !== 'string' || raw.trim() === '') throw invalid(`${s.key} (${source}) must be a non-empty string`);
      return raw;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A comma-separated list of namespace names, or `*` alone for every namespace. */
function namespaceList(s: Setting, raw: unknown, source: string): readonly string[] {
  const items = (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const ok = items.length > 0 && (items.length === 1 && items[0] === '*' ? true : items.every((v) => DNS_LABEL.test(v)));
  if (!ok) throw invalid(`${s.key} (${source}) must be comma-separated namespace names or *, got ${JSON.stringify(raw)}`);
  return Object.freeze([...new Set(items)]);
}

function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MeshguardError(ErrorCodes.CONFIG_FILE, `cannot read config file ${file}: ${describeError(err)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new MeshguardError(ErrorCodes.CONFIG_FILE, `config file ${file} must be a YAML mapping`);
  return parsed as Record<string, unknown>;
}

function invalid(message: string): MeshguardError {
  return new MeshguardError(ErrorCodes.CONFIG_INVALID, `invalid configuration: ${message}`);
}
