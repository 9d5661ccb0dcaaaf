import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { AdmissionReview } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { reviewFor, withNamespace } from '../../src/policy/offline.js';
import { readManifests } from '../../src/cli/manifests.js';
import { repoRoot, sharedData } from './paths.js';

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
  opts: { uid?: string; namespace?: string; operation?: 'CREATE' | 'UPDATE' | 'DELETE'; dryRun?: boolean } = {},
): AdmissionReview {
  const obj = withNamespace(object, opts.namespace ?? 'default');
  return reviewFor(obj, opts.uid ?? `uid-${obj.kind}-${obj.metadata?.name}`, opts.operation ?? 'CREATE', opts.dryRun ?? false);
}

/**
 * A VirtualService `shop/big` for host reviews with `routes` HTTP routes to subset v1, the last one
 * to subset `missing`. `padding` lengthens each route's URI prefix; `extra` is merged into every route.
 */
export function bigVirtualService(routes: number, opts: { padding?: number; extra?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'big', namespace: 'shop' },
    spec: {
      hosts: ['reviews'],
      http: Array.from({ length: routes }, (_, i) => ({
        name: `r${i}`,
        match: [{ uri: { prefix: `/p${i}/${'x'.repeat(opts.padding ?? 0)}` } }],
        ...opts.extra,
        route: [{ destination: { host: 'reviews', subset: i === routes - 1 ? 'missing' : 'v1' } }],
      })),
    },
  };
}

/** The DestinationRule `shop/reviews` defining subset v1 (and no `missing`), for {@link bigVirtualService}. */
export const REVIEWS_V1_RULE: KubeObject = {
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'shop' },
  spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
};

/**
 * The Secret of a gw-credential-invalid rule sample (`allowed/valid-certificate.yaml`,
 * `denied/expired-certificate.yaml`): the samples carry real certificates.
 */
export async function credentialSampleSecret(file: string): Promise<KubeObject> {
  const samples = path.join(repoRoot, 'policies', 'istio', 'gw-credential-invalid', 'samples');
  const secret = (await readManifests([path.join(samples, file)])).map((i) => i.object).find((o) => o.kind === 'Secret');
  if (!secret) throw new Error(`${file} has no Secret`);
  return secret;
}
