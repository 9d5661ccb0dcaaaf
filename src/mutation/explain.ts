/**
 * Mutations in words: one sentence per mutator that changed something, derived from the
 * operations it produced (the runner's `changes`) and the mutated object, e.g.
 * `meshguard: set spec.trafficPolicy.tls.mode ISTIO_MUTUAL (in-mesh host ratings.shop)`.
 * The mutating webhook answers them as AdmissionResponse warnings (kubectl prints each as
 * `Warning: …`) unless `mutation.warnings` is off; `meshguard mutate` prints the same sentences.
 */
import type { Operation } from 'fast-json-patch';
import { isRecord, type KubeObject } from '../inventory/objects.js';
import { PROXY_CONFIG_ANNOTATION, PROXY_RESOURCE_ANNOTATIONS, SIDECAR_SIZING_ANNOTATION } from './annotations.js';
import { SIDECAR_KEYS, type SidecarKey } from './config.js';
import { annotationsOf, dig } from './pod-targets.js';
import { KEY_WORDS, readSizingRecord, writtenByMeshguard } from './sizing-record.js';
import type { MutationOutcome, MutationRequest } from './types.js';

/** Every sentence starts with this, so a user can tell meshguard's warnings from others. */
export const EXPLANATION_PREFIX = 'meshguard: ';

/** One field a mutator wrote: its path from the object root and the value it got (undefined: removed). */
interface Leaf {
  readonly path: readonly string[];
  readonly value: unknown;
}

function decodePointer(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => (s.includes('~') ? s.replace(/~1/g, '/').replace(/~0/g, '~') : s));
}

function expand(path: string[], value: unknown, out: Leaf[]): void {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) expand([...path, k], v, out);
  } else {
    out.push({ path, value });
  }
}

/** The fields an operation list wrote, expanded to leaves (an added mapping counts as its keys). */
function leavesOf(ops: readonly Operation[]): Leaf[] {
  const out: Leaf[] = [];
  for (const op of ops) {
    const path = decodePointer(op.path);
    if (op.op === 'add' || op.op === 'replace') expand(path, op.value, out);
    else if (op.op === 'remove') out.push({ path, value: undefined });
  }
  return out;
}

/** A field path as a user writes it: `spec.tracing[0].randomSamplingPercentage`, `metadata.annotations["a/b"]`. */
export function fieldPath(path: readonly string[]): string {
  return path.map((step, i) => {
    if (/^\d+$/.test(step)) return `[${step}]`;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(step)) return i === 0 ? step : `.${step}`;
    return `[${JSON.stringify(step)}]`;
  }).join('');
}

/** The fields an operation list wrote, as {@link fieldPath}s (an added mapping counts as its leaves). */
export function changedFields(ops: readonly Operation[]): string[] {
  return leavesOf(ops).map((l) => fieldPath(l.path));
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function setWords(leaves: readonly Leaf[]): string {
  return leaves.map((l) => (l.value === undefined ? `removed ${fieldPath(l.path)}` : `set ${fieldPath(l.path)} ${shown(l.value)}`)).join(', ');
}

/** The pod (template) holders whose annotations a change touched, as paths from the root. */
function annotationHolders(leaves: readonly Leaf[], key: string): string[][] {
  const holders = new Map<string, string[]>();
  for (const { path } of leaves) {
    const at = path.length - 3;
    if (at >= 0 && path[at] === 'metadata' && path[at + 1] === 'annotations' && path[at + 2] === key) {
      const holder = path.slice(0, at);
      holders.set(holder.join('/'), holder);
    }
  }
  return [...holders.values()];
}

function holderWords(path: readonly string[]): string {
  return path.length === 0 ? '' : ` of the pod template ${fieldPath(path)}`;
}

/** The values of the user's that the mutator replaced (`mutation.sidecar.enforceComputed`), in words. */
function replacedWords(holderPath: readonly string[], set: readonly SidecarKey[], ctx: ExplainContext): string {
  const holder = holderPath.length === 0 ? ctx.original : dig(ctx.original, holderPath);
  const before = holder ? annotationsOf(holder) : {};
  const previous = readSizingRecord(before[SIDECAR_SIZING_ANNOTATION]);
  const replaced = set.filter((k) => {
    const value = before[PROXY_RESOURCE_ANNOTATIONS[k]];
    return value !== undefined && !writtenByMeshguard(previous, k, value);
  });
  if (replaced.length === 0) return '';
  const list = replaced.map((k) => `${KEY_WORDS[k].resource} ${KEY_WORDS[k].part} ${before[PROXY_RESOURCE_ANNOTATIONS[k]] ?? '?'}`).join(', ');
  return `; replaced yours (mutation.sidecar.enforceComputed): ${list}`;
}

function sidecarSentence(holderPath: string[], leaves: readonly Leaf[], ctx: ExplainContext): string {
  const holder = holderPath.length === 0 ? ctx.mutated : (dig(ctx.mutated, holderPath) ?? {});
  const record = readSizingRecord(annotationsOf(holder)[SIDECAR_SIZING_ANNOTATION]) ?? {};
  const prefix = holderPath.join('/');
  const touched = new Set(leaves.filter((l) => l.path.slice(0, holderPath.length).join('/') === prefix).map((l) => l.path[l.path.length - 1]));
  const words = (key: SidecarKey): string => `${KEY_WORDS[key].resource} ${KEY_WORDS[key].part} ${record[key]?.value ?? '?'}`;
  const set = SIDECAR_KEYS.filter((k) => touched.has(PROXY_RESOURCE_ANNOTATIONS[k]) && record[k]?.setBy === 'meshguard');
  const kept = SIDECAR_KEYS.filter((k) => record[k]?.setBy === 'you');
  const where = holderWords(holderPath);
  if (set.length === 0) return `recorded how the istio-proxy sidecar${where} is sized in ${SIDECAR_SIZING_ANNOTATION}`;
  const setText = set.map((k) => `${words(k)} (${record[k]?.source ?? '?'})`).join(', ') + replacedWords(holderPath, set, ctx);
  if (kept.length === 0) return `sized the istio-proxy sidecar${where}: ${setText}`;
  return `completed the istio-proxy sidecar resources${where}: ${setText}; kept yours: ${kept.map(words).join(', ')}`;
}

function sidecarResources(leaves: readonly Leaf[], ctx: ExplainContext): string[] {
  return annotationHolders(leaves, SIDECAR_SIZING_ANNOTATION).map((h) => sidecarSentence(h, leaves, ctx));
}

function proxyConfigKeys(holder: Record<string, unknown> | undefined): Record<string, unknown> {
  const text = holder ? annotationsOf(holder)[PROXY_CONFIG_ANNOTATION] : undefined;
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function telemetryDefaults(leaves: readonly Leaf[], ctx: ExplainContext): string[] {
  if (ctx.kind === 'Telemetry') return [`${setWords(leaves)} (no sampling rate was set: the org default)`];
  return annotationHolders(leaves, PROXY_CONFIG_ANNOTATION).map((path) => {
    const at = (o: KubeObject): Record<string, unknown> | undefined => (path.length === 0 ? o : dig(o, path));
    const before = proxyConfigKeys(at(ctx.original));
    const after = proxyConfigKeys(at(ctx.mutated));
    const added = Object.keys(after).filter((k) => !(k in before)).map((k) => `${k}: ${shown(after[k])}`);
    return `added ${added.join(', ')} to ${PROXY_CONFIG_ANNOTATION}${holderWords(path)} (org defaults for pods Istio injects)`;
  });
}

function mtlsDefaults(leaves: readonly Leaf[], ctx: ExplainContext): string[] {
  const spec = isRecord(ctx.mutated.spec) ? ctx.mutated.spec : {};
  const why = ctx.kind === 'DestinationRule' ? `in-mesh host ${shown(spec.host)}` : 'no mode was set: mutual TLS is required by default';
  return [`${setWords(leaves)} (${why})`];
}

/** What an explainer reads besides the mutator's own operations. */
interface ExplainContext {
  readonly kind: string;
  readonly original: KubeObject;
  readonly mutated: KubeObject;
}

type Explainer = (leaves: readonly Leaf[], ctx: ExplainContext) => string[];

/** The built-in mutators' wording; any other mutator gets "<id>: set <field> <value>, …". */
const EXPLAINERS: Readonly<Record<string, Explainer>> = {
  'sidecar-resources': sidecarResources,
  'mtls-defaults': mtlsDefaults,
  'telemetry-defaults': telemetryDefaults,
};

/**
 * One sentence (more for a mutator that changed several pod templates) per mutator that changed
 * something, in run order, each starting with {@link EXPLANATION_PREFIX}.
 */
export function explainMutations(req: Pick<MutationRequest, 'kind' | 'object'>, outcome: MutationOutcome): string[] {
  const ctx: ExplainContext = { kind: req.kind, original: req.object, mutated: outcome.mutated };
  const byMutator = new Map<string, Operation[]>();
  for (const change of outcome.changes) byMutator.set(change.mutator, [...(byMutator.get(change.mutator) ?? []), ...change.ops]);
  const sentences: string[] = [];
  for (const [mutator, ops] of byMutator) {
    const leaves = leavesOf(ops);
    const explainer = EXPLAINERS[mutator];
    const words = explainer ? explainer(leaves, ctx) : [`${mutator}: ${setWords(leaves)}`];
    for (const w of words) sentences.push(`${EXPLANATION_PREFIX}${w}`);
  }
  return sentences;
}
