/**
 * Mutator `telemetry-defaults`:
 * - Telemetry (CREATE, UPDATE): every `spec.tracing[]` entry without `randomSamplingPercentage`
 *   gets `telemetry.defaultSamplingPercentage`, whether the Telemetry applies by namespace, by
 *   `selector` or to the waypoints and gateways its `targetRefs` name. Its attachment (selector or
 *   targetRefs) is never added or changed; a Telemetry that sets both, which Istio rejects, is left
 *   alone with a note.
 * - Pods Istio will inject, and pod templates when `sidecar.templates` is on (same targets and
 *   eligibility as sidecar-resources): the top-level keys of `telemetry.proxyConfigDefaults` are
 *   merged into the `proxy.istio.io/config` annotation where unset. The annotation is YAML (JSON
 *   is YAML); an unparseable one, or one that is not a mapping, is left alone with a note. When a
 *   key is added the annotation is rewritten as compact JSON, so a YAML value comes back as JSON
 *   (same content; comments in it are lost). Nested keys are not merged. A default whose value
 *   is null is skipped (the way to drop a built-in default in a deep-merged org config).
 * On UPDATE a value the user removed is not filled back (see `ownership.ts`).
 */
import { parse as parseYaml } from 'yaml';
import { describeError } from '../../errors.js';
import { isRecord, type KubeObject } from '../../inventory/objects.js';
import { PROXY_CONFIG_ANNOTATION } from '../annotations.js';
import { injectionDecision } from '../mesh.js';
import { removedByUser } from '../ownership.js';
import { POD_KINDS, annotationsOf, dig, hasPodTargets, metaOf, podAnnotationPaths, podTargets, setAnnotation, type PodTarget } from '../pod-targets.js';
import type { MutationEnv, MutationRequest, Mutator } from '../types.js';

const ID = 'telemetry-defaults';

function tracingEntries(obj: KubeObject): unknown[] {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  return Array.isArray(spec.tracing) ? spec.tracing : [];
}

/** Why the object's attachment makes it one to leave alone, or undefined: targetRefs with a selector. */
export function attachmentConflict(obj: KubeObject): string | undefined {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const targeted = isRecord(spec.targetRef) || (Array.isArray(spec.targetRefs) && spec.targetRefs.length > 0);
  return targeted && isRecord(spec.selector) ? 'sets both a selector and targetRefs, which Istio rejects' : undefined;
}

function telemetry(obj: KubeObject, req: MutationRequest, env: MutationEnv): string[] {
  const conflict = attachmentConflict(obj);
  if (conflict) return [`${ID}: Telemetry ${obj.metadata?.name ?? '?'} ${conflict}; left unchanged`];
  const percentage = env.config.telemetry.defaultSamplingPercentage;
  const notes: string[] = [];
  tracingEntries(obj).forEach((entry, i) => {
    if (!isRecord(entry) || (entry.randomSamplingPercentage !== undefined && entry.randomSamplingPercentage !== null)) return;
    const read = (o: KubeObject): unknown => {
      const old = tracingEntries(o)[i];
      return isRecord(old) ? old.randomSamplingPercentage : undefined;
    };
    if (removedByUser(req, ID, read, percentage)) {
      notes.push(`${ID}: spec.tracing[${i}].randomSamplingPercentage was removed by this update; left unset`);
      return;
    }
    entry.randomSamplingPercentage = percentage;
    notes.push(`${ID}: spec.tracing[${i}].randomSamplingPercentage set to ${percentage}`);
  });
  return notes;
}

/** Parses a proxy-config annotation: a mapping, or a string saying why it is unusable. */
function parseProxyConfig(text: string | undefined): Record<string, unknown> | string {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    // JSON is YAML, and what meshguard itself writes: try the fast parser first.
    parsed = jsonOrUndefined(text) ?? parseYaml(text);
  } catch (err) {
    return `unparseable (${describeError(err).split('\n')[0] ?? ''})`;
  }
  if (parsed === null || parsed === undefined) return {};
  return isRecord(parsed) ? parsed : 'not a mapping';
}

function jsonOrUndefined(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function oldProxyConfig(req: MutationRequest, target: PodTarget): Record<string, unknown> {
  const holder = req.oldObject ? (target.path.length === 0 ? req.oldObject : dig(req.oldObject, target.path)) : undefined;
  const parsed = holder ? parseProxyConfig(annotationsOf(holder)[PROXY_CONFIG_ANNOTATION]) : {};
  return typeof parsed === 'string' ? {} : parsed;
}

function proxyConfig(target: PodTarget, req: MutationRequest, env: MutationEnv): string[] {
  const decision = injectionDecision(metaOf(target.holder), target.spec, req.namespace, env);
  if (!decision.inject) return [];
  const text = annotationsOf(target.holder)[PROXY_CONFIG_ANNOTATION];
  const current = parseProxyConfig(text);
  if (typeof current === 'string') return [`${ID}: ${target.label}: ${PROXY_CONFIG_ANNOTATION} is ${current}; left unchanged`];
  const added: string[] = [];
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(env.config.telemetry.proxyConfigDefaults)) {
    if (value === null || (current[key] !== undefined && current[key] !== null)) continue;
    if (removedByUser(req, ID, () => oldProxyConfig(req, target)[key], value)) {
      skipped.push(key);
      continue;
    }
    current[key] = structuredClone(value);
    added.push(key);
  }
  const notes = skipped.map((k) => `${ID}: ${target.label}: proxy config key ${k} was removed by this update; left unset`);
  if (added.length === 0) return notes;
  setAnnotation(target.holder, PROXY_CONFIG_ANNOTATION, JSON.stringify(current));
  notes.push(`${ID}: ${target.label}: ${PROXY_CONFIG_ANNOTATION} defaults added: ${added.join(', ')}`);
  return notes;
}

/** The `telemetry-defaults` mutator (see the module comment). */
export const telemetryDefaultsMutator: Mutator = {
  id: ID,
  owns: [
    { kinds: ['Telemetry'], path: 'spec.tracing[*].randomSamplingPercentage' },
    { kinds: POD_KINDS, path: `<pod>.metadata.annotations[${JSON.stringify(PROXY_CONFIG_ANNOTATION)}]` },
  ],
  matches: (req, env) => {
    if (!env.config.telemetry.enabled) return false;
    if (req.kind === 'Telemetry') return req.operation === 'CREATE' || req.operation === 'UPDATE';
    return hasPodTargets(req, env);
  },
  mutate(obj, req, env) {
    if (req.kind === 'Telemetry') return telemetry(obj, req, env);
    return podTargets(obj, req, env).flatMap((target) => proxyConfig(target, req, env));
  },
  writes: (req) => (req.kind === 'Telemetry' ? [['spec']] : podAnnotationPaths(req)),
};
