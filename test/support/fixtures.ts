import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { AdmissionReview } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { reviewFor, withNamespace } from '../../src/policy/offline.js';
import { sharedData } from './paths.js';

/** Every object in a YAML file under ../shared/data (e.g. `istio-samples/samples/bookinfo-gateway.yaml`). */
export function sharedObjects(relative: string): KubeObject[] {
  const text = readFileSync(path.join(sharedData, relative), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter((o) => o && o.kind);
}

/** One object of a shared file, by kind and name. */
export function sharedObject(relative: string, kind: string, name: string): KubeObject {
  const found = sharedObjects(relative).find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`${relative} has no ${kind} ${name}`);
  return found;
}

/** A whole AdmissionReview for an object, as the API server sends it. */
export function admissionReview(
  object: KubeObject,
  opts: { uid?: string; namespace?: string; operation?: 'CREATE' | 'UPDATE'; dryRun?: boolean } = {},
): AdmissionReview {
  const obj = withNamespace(object, opts.namespace ?? 'default');
  return reviewFor(obj, opts.uid ?? `uid-${obj.kind}-${obj.metadata?.name}`, opts.operation ?? 'CREATE', opts.dryRun ?? false);
}
