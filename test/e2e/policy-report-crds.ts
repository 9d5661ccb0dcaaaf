import type { KubernetesObject } from '@kubernetes/client-node';

const str = { type: 'string' };
const int = { type: 'integer' };

/** The schema of both report kinds: the Policy WG's v1alpha2 fields, written for these tests. */
const schema = {
  type: 'object',
  properties: {
    apiVersion: str, kind: str, metadata: { type: 'object' },
    scope: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    summary: { type: 'object', properties: { pass: int, fail: int, warn: int, error: int, skip: int } },
    results: {
      type: 'array',
      items: {
        type: 'object', required: ['policy'],
        properties: {
          source: str, policy: str, rule: str, category: str, message: str, scored: { type: 'boolean' },
          severity: { type: 'string', enum: ['critical', 'high', 'low', 'medium', 'info'] },
          result: { type: 'string', enum: ['pass', 'fail', 'warn', 'error', 'skip'] },
          timestamp: { type: 'object', properties: { seconds: { type: 'integer', format: 'int64' }, nanos: { type: 'integer', format: 'int32' } } },
          resources: { type: 'array', items: { type: 'object', properties: { apiVersion: str, kind: str, name: str, namespace: str, uid: str } } },
          properties: { type: 'object', additionalProperties: str },
        },
      },
    },
  },
};

function crd(kind: string, plural: string, scope: 'Namespaced' | 'Cluster'): KubernetesObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.wgpolicyk8s.io` },
    spec: {
      group: 'wgpolicyk8s.io', scope, names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [{ name: 'v1alpha2', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  } as KubernetesObject;
}

/** Minimal wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport CRDs (Kyverno installs the full ones). */
export const POLICY_REPORT_CRDS = [crd('PolicyReport', 'policyreports', 'Namespaced'), crd('ClusterPolicyReport', 'clusterpolicyreports', 'Cluster')];
