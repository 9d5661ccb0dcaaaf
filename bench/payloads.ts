/**
 * Realistic AdmissionReviews for the benchmarks, built from the shared Istio corpus
 * (`../shared/data`, override with MESHGUARD_BENCH_DATA). Each object is dressed the way the API
 * server sends it to a webhook after `kubectl apply`: defaulted fields, the last-applied
 * annotation, managedFields and a full request envelope, so body sizes match real traffic.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { AdmissionReview } from '../src/admission/types.js';
import type { KubeObject } from '../src/inventory/objects.js';

/** The repository root (bench/ compiles to dist/bench/). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The shared data folder: `../shared/data` next to the repository. */
export const dataRoot = process.env.MESHGUARD_BENCH_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');

/** One benchmark request: a name, the webhook path, the body and what a correct answer is. */
export interface Payload {
  name: string;
  webhook: 'validate' | 'mutate';
  review: AdmissionReview;
  body: string;
  /** allowed:true expected (false for a denied sample). */
  allowed: boolean;
  /** /mutate: a non-empty JSONPatch is expected. */
  patched?: boolean;
}

/** Every object of a multi-document YAML file. */
export function yamlObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o.kind === 'string');
}

/** One object of a file under the shared data folder, by kind and (optionally) name. */
export function sharedObject(relative: string, kind: string, name?: string): KubeObject {
  const found = yamlObjects(path.join(dataRoot, relative)).find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (!found) throw new Error(`${path.join(dataRoot, relative)} has no ${kind}${name ? ` ${name}` : ''}`);
  return found;
}

const PLURALS: Record<string, string> = {
  AuthorizationPolicy: 'authorizationpolicies', PeerAuthentication: 'peerauthentications', RequestAuthentication: 'requestauthentications',
  VirtualService: 'virtualservices', DestinationRule: 'destinationrules', Gateway: 'gateways', ServiceEntry: 'serviceentries',
  Sidecar: 'sidecars', EnvoyFilter: 'envoyfilters', Telemetry: 'telemetries', Pod: 'pods', Deployment: 'deployments', Namespace: 'namespaces',
};

function groupVersion(apiVersion: string | undefined): { group: string; version: string } {
  const [a, b] = (apiVersion ?? 'v1').split('/');
  return b === undefined ? { group: '', version: a ?? 'v1' } : { group: a ?? '', version: b };
}

/** managedFields' FieldsV1 for a value: every map key as `f:<key>`, lists as a leaf. */
function fieldsV1(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[`f:${k}`] = fieldsV1(v);
  return out;
}

/**
 * The object as the API server hands it to admission after `kubectl apply`: namespace set, the
 * last-applied-configuration annotation, managedFields, creationTimestamp null.
 */
export function asApplied(object: KubeObject, namespace: string): KubeObject {
  const applied: KubeObject = structuredClone(object);
  const meta = (applied.metadata ??= {});
  meta.namespace = namespace;
  const lastApplied = JSON.stringify({ ...object, metadata: { ...object.metadata, namespace } });
  meta.annotations = { ...meta.annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${lastApplied}\n` };
  meta.creationTimestamp = null;
  const { metadata: _m, ...rest } = applied;
  meta.managedFields = [{
    manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: applied.apiVersion, time: '2026-08-22T10:00:00Z',
    fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } }, ...fieldsV1(rest) },
  }];
  return applied;
}

/** A whole AdmissionReview v1 for writing `object`, with the envelope the API server fills in. */
export function admissionReview(object: KubeObject, uid: string, operation: 'CREATE' | 'UPDATE' = 'CREATE'): AdmissionReview {
  const gv = groupVersion(object.apiVersion);
  const kind = object.kind ?? '';
  const resource = { ...gv, resource: PLURALS[kind] ?? `${kind.toLowerCase()}s` };
  const request = {
    uid, kind: { ...gv, kind }, resource, requestKind: { ...gv, kind }, requestResource: resource,
    name: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? '', operation,
    userInfo: { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] },
    object, oldObject: null, dryRun: false,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' },
  };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } as AdmissionReview;
}

/**
 * A Pod as the API server sends it to a mutating webhook on CREATE from a Deployment's
 * ReplicaSet: the template's metadata and spec plus the defaults and the service-account token
 * volume the built-in admission plugins add before webhooks run.
 */
export function podFromDeployment(deployment: KubeObject, namespace: string, extraLabels: Record<string, string>): KubeObject {
  const spec = deployment.spec as { template: { metadata?: Record<string, unknown>; spec: Record<string, unknown> } };
  const template = structuredClone(spec.template);
  const name = deployment.metadata?.name ?? 'app';
  const tokenVolume = 'kube-api-access-7x2kq';
  const containers = (template.spec.containers as Array<Record<string, unknown>>).map((c) => ({
    ...c, imagePullPolicy: c.imagePullPolicy ?? 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    resources: c.resources ?? {},
    volumeMounts: [...((c.volumeMounts as unknown[]) ?? []), { name: tokenVolume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
  }));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${name}-6d8f7c9b5-`, namespace, creationTimestamp: null,
      labels: { ...(template.metadata?.labels as Record<string, string>), 'pod-template-hash': '6d8f7c9b5', ...extraLabels },
      annotations: { ...(template.metadata?.annotations as Record<string, string>) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-6d8f7c9b5`, uid: '3f1c2a9e-8b7d-4e6f-a5c4-1b2d3e4f5a6b', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...template.spec, containers, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst',
      serviceAccountName: template.spec.serviceAccountName ?? 'default', serviceAccount: template.spec.serviceAccountName ?? 'default',
      securityContext: {}, schedulerName: 'default-scheduler', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      volumes: [...((template.spec.volumes as unknown[]) ?? []), {
        name: tokenVolume,
        projected: { defaultMode: 420, sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ] },
      }],
    },
  };
}

function payload(name: string, webhook: Payload['webhook'], object: KubeObject, expect: { allowed: boolean; patched?: boolean }): Payload {
  const review = admissionReview(object, `bench-${name}`);
  return { name, webhook, review, body: JSON.stringify(review), ...expect };
}

/** The /validate mix: a VirtualService, a DestinationRule, a PeerAuthentication and an AuthorizationPolicy, all allowed. */
export function validatePayloads(): Payload[] {
  return [
    // In `default`: its hosts are services of that namespace (elsewhere vs-host-hijack warns).
    payload('virtualservice', 'validate', asApplied(sharedObject('istio-samples/pilot-testdata-config/virtual-service-all.yaml', 'VirtualService', 'all'), 'default'), { allowed: true }),
    payload('destinationrule', 'validate', asApplied(sharedObject('istio-samples/samples/destination-rule-all-mtls.yaml', 'DestinationRule', 'reviews'), 'shop'), { allowed: true }),
    payload('peerauthentication', 'validate', asApplied(sharedObject('seed-examples/4.1-mtls-strict.yaml', 'PeerAuthentication'), 'shop'), { allowed: true }),
    payload('authorizationpolicy', 'validate', asApplied(sharedObject('seed-examples/4.2-authorizationpolicy.yaml', 'AuthorizationPolicy'), 'shop'), { allowed: true }),
  ];
}

/** A denied request: an ALLOW AuthorizationPolicy with an empty rule (ap-allow-all's own denied sample). */
export function deniedPayload(): Payload {
  const file = path.join(repoRoot, 'policies', 'istio', 'ap-allow-all', 'samples', 'denied', 'empty-rule.yaml');
  const [object] = yamlObjects(file);
  if (!object) throw new Error(`${file} holds no object`);
  return payload('denied-authorizationpolicy', 'validate', asApplied(object, object.metadata?.namespace ?? 'prod'), { allowed: false });
}

/** The /mutate payload: the bookinfo productpage Pod, opted into injection by its own label so sizing runs. */
export function mutatePayloads(): Payload[] {
  const deployment = sharedObject('istio-samples/workloads/bookinfo.yaml', 'Deployment', 'productpage-v1');
  const pod = podFromDeployment(deployment, 'shop', { 'sidecar.istio.io/inject': 'true' });
  return [payload('pod', 'mutate', pod, { allowed: true, patched: true })];
}
