/**
 * Mutator `sidecar-resources`: sizes the Istio proxy of pods Istio will inject by writing the four
 * `sidecar.istio.io/proxy*` annotations and the `meshguard.io/sidecar-sizing` record.
 *
 * Targets: Pods on CREATE; with `sidecar.templates` also the pod templates of Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, CronJob (CREATE, UPDATE) and Job (CREATE). Eligibility is
 * {@link injectionDecision}. The numbers come from {@link computeSizing}.
 *
 * Ownership: an annotation is the user's unless the previous sizing record says meshguard wrote
 * that very value. User values are kept (and the missing ones completed consistently around them)
 * unless `sidecar.enforceComputed` is on. The four annotations are meshguard-managed: on UPDATE a
 * value the user removed is recomputed, never restored to the user's old value, so nothing is
 * fought over.
 *
 * Computed values lie inside the bounds of the rule pod-proxy-resources-range (`env.bounds`) and
 * are written exactly, so the validating webhook never denies what this mutator wrote. A user
 * value that is not a quantity, too large or negative, or a user limit below the user's request,
 * throws a 422 error (ANNOTATION_INVALID) naming the annotation, its value and why.
 */
import { ErrorCodes, MeshguardError, describeError } from '../../errors.js';
import { isRecord, type KubeObject } from '../../inventory/objects.js';
import { PROXY_RESOURCE_ANNOTATIONS, SIDECAR_SIZING_ANNOTATION } from '../annotations.js';
import { SIDECAR_KEYS, type SidecarKey, type SidecarProfile } from '../config.js';
import { injectionDecision } from '../mesh.js';
import { appResources, type AppResources } from '../pod-resources.js';
import { POD_KINDS, annotationsOf, hasPodTargets, metaOf, podAnnotationPaths, podTargets, setAnnotation, type PodTarget } from '../pod-targets.js';
import { shownValue } from '../quantity.js';
import { computeSizing, amountFor, type SizingResult } from '../sizing.js';
import { formatValue, readSizingRecord, writeSizingRecord, writtenByMeshguard } from '../sizing-record.js';
import type { MutationEnv, MutationRequest, Mutator } from '../types.js';
import { observedChoice } from '../../sizing/admission.js';

const ID = 'sidecar-resources';

interface UserValues {
  parsed: Partial<Record<SidecarKey, bigint>>;
  raw: Partial<Record<SidecarKey, string>>;
}

function annotationError(message: string): MeshguardError {
  return new MeshguardError(ErrorCodes.ANNOTATION_INVALID, message, { statusCode: 422 });
}

/** The user's values. @throws ANNOTATION_INVALID (422) naming the annotation, its value and why. */
function userValues(annotations: Record<string, string>): UserValues {
  const record = readSizingRecord(annotations[SIDECAR_SIZING_ANNOTATION]);
  const out: UserValues = { parsed: {}, raw: {} };
  for (const key of SIDECAR_KEYS) {
    const name = PROXY_RESOURCE_ANNOTATIONS[key];
    const text = annotations[name];
    if (text === undefined || writtenByMeshguard(record, key, text)) continue;
    let value: bigint;
    try {
      value = amountFor(key, text);
    } catch (err) {
      throw annotationError(`annotation ${name}: ${describeError(err)}`);
    }
    if (value < 0n) throw annotationError(`annotation ${name}: ${shownValue(text)} must not be negative`);
    out.parsed[key] = value;
    out.raw[key] = text;
  }
  for (const [req, lim] of [['cpu', 'cpuLimit'], ['memory', 'memoryLimit']] as const) {
    const [r, l] = [out.parsed[req], out.parsed[lim]];
    if (r !== undefined && l !== undefined && l < r) {
      throw annotationError(
        `annotation ${PROXY_RESOURCE_ANNOTATIONS[lim]}: ${shownValue(out.raw[lim] ?? '')} is below ${PROXY_RESOURCE_ANNOTATIONS[req]} ${shownValue(out.raw[req] ?? '')}; a limit must not be below its request`,
      );
    }
  }
  return out;
}

function labelsOf(holder: Record<string, unknown>): Record<string, string> {
  const labels = metaOf(holder).labels;
  return isRecord(labels) ? (labels as Record<string, string>) : {};
}

/** The profile name: pod (template) annotation, then label, then the workload's, then the namespace's. */
function profileName(obj: KubeObject, target: PodTarget, req: MutationRequest, env: MutationEnv): string | undefined {
  const key = env.config.sidecar.profileKey;
  const holders: Record<string, unknown>[] = [target.holder];
  if (target.path.length > 0) holders.push(obj);
  const ns = env.inventory?.get('Namespace', '', req.namespace);
  if (ns) holders.push(ns);
  for (const h of holders) {
    const name = annotationsOf(h)[key] ?? labelsOf(h)[key];
    if (name) return name;
  }
  return env.config.sidecar.defaultProfile || undefined;
}

function selectProfile(
  obj: KubeObject,
  target: PodTarget,
  req: MutationRequest,
  env: MutationEnv,
  notes: string[],
): { name: string; spec: SidecarProfile } | undefined {
  const name = profileName(obj, target, req, env);
  if (name === undefined) return undefined;
  const spec = env.config.sidecar.profiles[name];
  if (!spec) {
    notes.push(`${ID}: ${target.label}: unknown sidecar profile ${JSON.stringify(name)}; sized without a profile`);
    return undefined;
  }
  return { name, spec };
}

/** The pod's own input: user annotations and app resources; a problem in them names the target. */
function readTarget(target: PodTarget): { user: UserValues; app: AppResources } {
  try {
    return { user: userValues(annotationsOf(target.holder)), app: appResources(target.spec) };
  } catch (err) {
    if (!(err instanceof MeshguardError)) throw err;
    throw new MeshguardError(err.code, `${target.label}: ${err.message}`, { statusCode: 422, cause: err });
  }
}

/** The text written for a key: the user's own text where the user's value was taken, else the exact value. */
function written(key: SidecarKey, result: SizingResult, user: UserValues): string {
  const rule = result.rules[key];
  const limitKey = key === 'cpu' ? 'cpuLimit' : key === 'memory' ? 'memoryLimit' : undefined;
  const raw = rule === 'user' ? user.raw[key] : rule === 'limit' && limitKey ? user.raw[limitKey] : undefined;
  return raw ?? formatValue(key, result.values[key]);
}

function sizeTarget(obj: KubeObject, target: PodTarget, req: MutationRequest, env: MutationEnv): string[] {
  const decision = injectionDecision(metaOf(target.holder), target.spec, req.namespace, env);
  if (!decision.inject) return [`${ID}: ${target.label}: ${decision.reason}; left unchanged`];
  const notes = decision.namespaceUnknown ? [`${ID}: ${target.label}: ${decision.reason}`] : [];
  const config = env.config.sidecar;
  const annotations = annotationsOf(target.holder);
  const { user, app } = readTarget(target);
  const profile = selectProfile(obj, target, req, env, notes);
  const observed = env.observed ? observedChoice(obj, req.kind, req.namespace, env.observed) : undefined;
  const result = computeSizing({
    app, config, user: user.parsed, ...(profile ? { profile } : {}),
    ...(observed?.requests ? { observed: observed.requests } : {}), ...(env.bounds ? { bounds: env.bounds } : {}),
  });
  const values = {} as Record<SidecarKey, string>;
  for (const key of SIDECAR_KEYS) {
    const raw = user.raw[key];
    values[key] = written(key, result, user);
    if (raw !== undefined && raw !== values[key]) {
      notes.push(`${ID}: ${target.label}: enforceComputed replaced ${PROXY_RESOURCE_ANNOTATIONS[key]}=${raw} with ${values[key]}`);
    }
    if (annotations[PROXY_RESOURCE_ANNOTATIONS[key]] !== values[key]) setAnnotation(target.holder, PROXY_RESOURCE_ANNOTATIONS[key], values[key]);
  }
  const record = writeSizingRecord(app, profile?.name, config, values, result.rules, observed?.record);
  if (annotations[SIDECAR_SIZING_ANNOTATION] !== record) setAnnotation(target.holder, SIDECAR_SIZING_ANNOTATION, record);
  const summary = SIDECAR_KEYS.map((k) => `${PROXY_RESOURCE_ANNOTATIONS[k].slice('sidecar.istio.io/'.length)}=${values[k]} (${result.rules[k]})`);
  notes.push(`${ID}: ${target.label}: ${summary.join(', ')}`);
  for (const remark of result.remarks) notes.push(`${ID}: ${target.label}: ${remark}`);
  return notes;
}

/** The `sidecar-resources` mutator (see the module comment). */
export const sidecarResourcesMutator: Mutator = {
  id: ID,
  owns: [...Object.values(PROXY_RESOURCE_ANNOTATIONS), SIDECAR_SIZING_ANNOTATION].map((key) => ({ kinds: POD_KINDS, path: `<pod>.metadata.annotations[${JSON.stringify(key)}]` })),
  matches: (req, env) => env.config.sidecar.enabled && hasPodTargets(req, env),
  mutate(obj, req, env) {
    return podTargets(obj, req, env).flatMap((target) => sizeTarget(obj, target, req, env));
  },
  writes: (req) => podAnnotationPaths(req),
};
