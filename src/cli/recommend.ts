/**
 * `meshguard recommend`: for each workload (from manifest files with `--files`, else from the
 * cluster), its current proxy annotations, what its `istio-proxy` used, the recommendation and the
 * change. It runs the server's code path: one {@link SizingRefresher} refresh against Prometheus,
 * then the mutating webhook's sizing of each pod template with that cache.
 */
import { pino } from 'pino';
import { PROXY_RESOURCE_ANNOTATIONS, SIDECAR_SIZING_ANNOTATION } from '../mutation/annotations.js';
import { SIDECAR_KEYS, type SidecarKey } from '../mutation/config.js';
import { mutateManifests } from '../mutation/offline.js';
import { annotationsOf, dig, TEMPLATE_PATHS } from '../mutation/pod-targets.js';
import { formatCpu, formatMemory } from '../mutation/quantity.js';
import { amountFor } from '../mutation/sizing.js';
import { mutationEnvOf } from '../admission/mutate.js';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import type { KubeObject } from '../inventory/objects.js';
import { Metrics } from '../metrics.js';
import { deepMerge, loadOrgConfig, withMutation } from '../org-config.js';
import { withNamespace } from '../policy/offline.js';
import { parseSizingConfig, type SizingConfig } from '../sizing/config.js';
import { cpuMillis, cpuPerThousandRps, nearestRank } from '../sizing/recommend.js';
import { SizingRefresher } from '../sizing/refresher.js';
import { objectWorkload, workloadKey } from '../sizing/workloads.js';
import { readManifests } from './manifests.js';
import { EXIT } from './output.js';
import { recommendTable, type RecommendRow } from './recommend-output.js';

/** Options of `meshguard recommend`. */
export interface RecommendCliOptions {
  namespace?: string;
  output: 'table' | 'json';
  files?: string[];
  kubeconfig?: string;
  orgConfig?: string;
  prometheusUrl?: string;
  /** Evaluation time (RFC 3339 or Unix seconds); default now. */
  at?: string;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

async function clusterWorkloads(kubeconfig: string | undefined, namespace: string | undefined): Promise<KubeObject[]> {
  const { KubeHttp, loadKubeConfig } = await import('../kube/client.js');
  const http = new KubeHttp(loadKubeConfig(kubeconfig));
  const out: KubeObject[] = [];
  for (const kind of WORKLOAD_KINDS) {
    const plural = `${kind.toLowerCase()}s`;
    const path = namespace ? `/apis/apps/v1/namespaces/${namespace}/${plural}` : `/apis/apps/v1/${plural}`;
    await http.list(path, (items) => out.push(...items.map((i) => ({ ...i, apiVersion: 'apps/v1', kind }) as KubeObject)));
  }
  return out;
}

function evaluationTime(at: string | undefined): number {
  if (at === undefined) return Math.floor(Date.now() / 1000);
  const seconds = /^\d+$/.test(at) ? Number(at) : Date.parse(at) / 1000;
  if (!Number.isFinite(seconds)) throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `--at ${JSON.stringify(at)} is not an RFC 3339 time or Unix seconds`);
  return Math.floor(seconds);
}

function values(annotations: Record<string, string>): Partial<Record<SidecarKey, string>> {
  return Object.fromEntries(SIDECAR_KEYS.filter((k) => annotations[PROXY_RESOURCE_ANNOTATIONS[k]] !== undefined).map((k) => [k, annotations[PROXY_RESOURCE_ANNOTATIONS[k]]]));
}

function change(key: SidecarKey, from: string | undefined, to: string | undefined): string {
  if (to === undefined) return '';
  if (from === undefined) return 'new';
  if (from === to) return 'none';
  const a = amountFor(key, from);
  const b = amountFor(key, to);
  return a === 0n ? 'new' : `${b > a ? '+' : ''}${Math.round((Number(b - a) * 100) / Number(a))}%`;
}

function row(object: KubeObject, mutated: KubeObject, namespace: string, refresher: SizingRefresher, config: SizingConfig): RecommendRow {
  const kind = object.kind ?? '';
  const holder = (o: KubeObject): Record<string, unknown> => (kind === 'Pod' ? o : (dig(o, TEMPLATE_PATHS[kind] ?? []) ?? {}));
  const ref = objectWorkload(object, kind, namespace) ?? { namespace, kind, name: '' };
  const current = values(annotationsOf(holder(object)));
  const after = annotationsOf(holder(mutated));
  const recommended = values(after);
  const record = JSON.parse(after[SIDECAR_SIZING_ANNOTATION] ?? '{}') as Record<string, unknown>;
  const r = refresher.all().get(workloadKey(ref));
  const o = r?.observation;
  return {
    workload: workloadKey(ref),
    current,
    observed: o ? {
      pods: o.pods, samples: o.samples, cpu: formatCpu(cpuMillis(nearestRank(o.cpu, config.cpuQuantile), 0)), memoryPeak: formatMemory(BigInt(Math.ceil(o.memoryPeak))),
      requestsPerSecond: o.requestRates.length ? Number(nearestRank(o.requestRates, config.cpuQuantile).toFixed(1)) : null,
      cpuPerThousandRps: cpuPerThousandRps(o, config) ?? null,
    } : null,
    recommended,
    change: Object.fromEntries(SIDECAR_KEYS.map((k) => [k, change(k, current[k], recommended[k])])) as Record<SidecarKey, string>,
    source: String(record.source ?? 'static'),
    ...(typeof record.fallback === 'string' ? { fallback: record.fallback } : {}),
  };
}

/**
 * The recommendation rows for `objects` (manifests; default: the cluster's workloads), through one
 * refresher refresh and the webhook's mutator.
 * @throws MeshguardError SIZING_PROMETHEUS when Prometheus cannot answer.
 */
export async function recommendationRows(opts: Omit<RecommendCliOptions, 'output'>, objects?: KubeObject[]): Promise<RecommendRow[]> {
  const loaded = await loadOrgConfig(opts.orgConfig);
  const sizingRaw = deepMerge(loaded.raw.sizing, { source: 'prometheus', mode: 'apply', ...(opts.prometheusUrl ? { prometheus: { url: opts.prometheusUrl } } : {}) });
  const config = parseSizingConfig(sizingRaw);
  const withTemplates = withMutation(loaded, { sidecar: { templates: true } });
  const org = { ...withTemplates, raw: { ...withTemplates.raw, sizing: sizingRaw } };
  const end = evaluationTime(opts.at);
  const refresher = new SizingRefresher({ config: () => config, metrics: new Metrics(false), log: pino({ level: 'silent' }), clock: () => end });
  if (!(await refresher.refresh())) throw new MeshguardError(ErrorCodes.SIZING_PROMETHEUS, refresher.error ?? 'refresh failed');
  const inScope = (objects ?? await clusterWorkloads(opts.kubeconfig, opts.namespace))
    .map((o) => (o.kind === 'Namespace' ? o : withNamespace(o, o.metadata?.namespace ?? opts.namespace ?? 'default')))
    .filter((o) => !opts.namespace || o.kind === 'Namespace' || o.metadata?.namespace === opts.namespace);
  const env = { ...mutationEnvOf(org), observed: refresher };
  const outcomes = mutateManifests(inScope.map((object) => ({ object, file: 'input' })), env, { namespace: opts.namespace ?? 'default' });
  return inScope.flatMap((o, i) => (o.kind === 'Pod' || TEMPLATE_PATHS[o.kind ?? ''] !== undefined
    ? [row(o, outcomes[i]!.mutated, o.metadata?.namespace ?? 'default', refresher, config)]
    : []));
}

/** Runs `meshguard recommend`; returns the exit code (2 when Prometheus or the input cannot be read). */
export async function runRecommend(opts: RecommendCliOptions, io: { out: (t: string) => void; err: (t: string) => void }): Promise<number> {
  try {
    const objects = opts.files ? (await readManifests(opts.files, (note) => io.err(note))).map((m) => m.object) : undefined;
    const rows = await recommendationRows(opts, objects);
    io.out(opts.output === 'json' ? JSON.stringify(rows, null, 2) : recommendTable(rows));
    return EXIT.OK;
  } catch (err) {
    io.err(`meshguard recommend: ${err instanceof MeshguardError ? `${err.code}: ` : ''}${describeError(err)}`);
    return EXIT.UNREADABLE;
  }
}
