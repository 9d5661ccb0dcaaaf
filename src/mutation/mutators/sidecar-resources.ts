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
 */
import { ErrorCodes, MeshguardError, describeError } from '../../errors.js';
import { isRecord, type KubeObject } from '../../kube/objects.js';
import { PROXY_RESOURCE_ANNOTATIONS, SIDECAR_SIZING_ANNOTATION } from '../annotations.js';
import { SIDECAR_KEYS, type SidecarKey, type SidecarProfile } from '../config.js';
import { injectionDecision } from '../mesh.js';
import { appResources } from '../pod-resources.js';
import { annotationsOf, hasPodTargets, metaOf, podTargets, setAnnotation, type PodTarget } from '../pod-targets.js';
import { computeSizing, amountFor } from '../sizing.js';
import { formatValue, readSizingRecord, writeSizingRecord, writtenByMeshguard } from '../sizing-record.js';
import type { MutationEnv, MutationRequest, Mutator } from '../types.js';
import { observedChoice } from '../../sizing/admission.js';

const ID = 'sidecar-resources';

interface UserValues {
  parsed: Partial<Record<SidecarKey, bigint>>;
  raw: Partial<Record<SidecarKey, string>>;
}

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
      throw new MeshguardError(ErrorCodes.QUANTITY_INVALID, `annotation ${name}: ${describeError(err)}`, { statusCode: 400, cause: err });
    }
    if (value < 0n) throw new MeshguardError(ErrorCodes.QUANTITY_INVALID, `annotation ${name}: must not be negative`, { statusCode: 400 });
    out.parsed[key] = value;
    out.raw[key] = text;
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

function sizeTarget(obj: KubeObject, target: PodTarget, req: MutationRequest, env: MutationEnv): string[] {
  const decision = injectionDecision(metaOf(target.holder), target.spec, req.namespace, env);
  if (!decision.inject) return [`${ID}: ${target.label}: ${decision.reason}; left unchanged`];
  const notes = decision.namespaceUnknown ? [`${ID}: ${target.label}: ${decision.reason}`] : [];
  const config = env.config.sidecar;
  const annotations = annotationsOf(target.holder);
  const user = userValues(annotations);
  const profile = selectProfile(obj, target, req, env, notes);
  const app = appResources(target.spec);
  const observed = env.observed ? observedChoice(obj, req.kind, req.namespace, env.observed) : undefined;
  const result = computeSizing({ app, config, user: user.parsed, ...(profile ? { profile } : {}), ...(observed?.requests ? { observed: observed.requests } : {}) });
  const values = {} as Record<SidecarKey, string>;
  for (const key of SIDECAR_KEYS) {
    const raw = user.raw[key];
    values[key] = result.rules[key] === 'user' && raw !== undefined ? raw : formatValue(key, result.values[key]);
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
  matches: (req, env) => env.config.sidecar.enabled && hasPodTargets(req, env),
  mutate(obj, req, env) {
    return podTargets(obj, req, env).flatMap((target) => sizeTarget(obj, target, req, env));
  },
};
