/**
 * Whole objects the chart is expected to render, built from a few parameters, so the tests can
 * compare complete webhook configurations and pod specs rather than picking single fields.
 */

/** Labels on every object of a release named `release` of chart 0.1.0. */
export function labels(release: string): Record<string, string> {
  return {
    'helm.sh/chart': 'meshguard-0.1.0',
    ...selectorLabels(release),
    'app.kubernetes.io/version': '0.1.0',
    'app.kubernetes.io/part-of': 'meshguard',
    'app.kubernetes.io/managed-by': 'Helm',
  };
}

/** The Deployment's selector labels. */
export function selectorLabels(release: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'meshguard', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'webhook' };
}

const WORKLOAD_RULES = [
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
];

/** Rules of each webhook, by webhook name. */
export const RULES: Record<string, unknown[]> = {
  'pods.mutate.meshguard.io': [
    { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'], scope: 'Namespaced' },
  ],
  'workloads.mutate.meshguard.io': WORKLOAD_RULES,
  'istio.mutate.meshguard.io': [
    { apiGroups: ['security.istio.io'], apiVersions: ['*'], resources: ['peerauthentications'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
    { apiGroups: ['networking.istio.io'], apiVersions: ['*'], resources: ['destinationrules'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
    { apiGroups: ['telemetry.istio.io'], apiVersions: ['*'], resources: ['telemetries'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
  ],
  'istio.validate.meshguard.io': [
    {
      apiGroups: ['networking.istio.io'], apiVersions: ['*'],
      resources: ['virtualservices', 'destinationrules', 'gateways', 'serviceentries', 'sidecars', 'envoyfilters'],
      operations: ['CREATE', 'UPDATE'], scope: 'Namespaced',
    },
    {
      apiGroups: ['security.istio.io'], apiVersions: ['*'],
      resources: ['peerauthentications', 'authorizationpolicies', 'requestauthentications'],
      operations: ['CREATE', 'UPDATE'], scope: 'Namespaced',
    },
    { apiGroups: ['telemetry.istio.io'], apiVersions: ['*'], resources: ['telemetries'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
    {
      apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['*'],
      resources: ['gateways', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes', 'referencegrants', 'listenersets'],
      operations: ['CREATE', 'UPDATE'], scope: 'Namespaced',
    },
    { apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['*'], resources: ['gatewayclasses'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' },
  ],
  'workloads.validate.meshguard.io': [
    { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
    ...WORKLOAD_RULES,
  ],
  'namespaces.validate.meshguard.io': [
    { apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' },
  ],
  'exemptions.validate.meshguard.io': [
    { apiGroups: ['policy.meshguard.io'], apiVersions: ['*'], resources: ['exemptions'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
  ],
  'references.validate.meshguard.io': [
    { apiGroups: ['networking.istio.io'], apiVersions: ['*'], resources: ['destinationrules', 'gateways', 'serviceentries'], operations: ['DELETE'], scope: 'Namespaced' },
    { apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['*'], resources: ['gateways'], operations: ['DELETE'], scope: 'Namespaced' },
    { apiGroups: [''], apiVersions: ['v1'], resources: ['services'], operations: ['UPDATE', 'DELETE'], scope: 'Namespaced' },
  ],
  'secrets.validate.meshguard.io': [
    { apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'], operations: ['DELETE'], scope: 'Namespaced' },
  ],
};

/** The chart's default webhook.meshNamespaces: Istio's mesh labels, one disjoint selector each. */
export const MESH_NAMESPACES = [
  { name: '', matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] },
  { name: 'revision', matchExpressions: [{ key: 'istio-injection', operator: 'DoesNotExist' }, { key: 'istio.io/rev', operator: 'Exists' }] },
  {
    name: 'ambient',
    matchExpressions: [
      { key: 'istio-injection', operator: 'DoesNotExist' }, { key: 'istio.io/rev', operator: 'DoesNotExist' },
      { key: 'istio.io/dataplane-mode', operator: 'In', values: ['ambient'] },
    ],
  },
];

/** The chart's default webhook.failurePolicies ("" takes the configuration's failurePolicy). */
export const DEFAULT_FAILURE_POLICIES: Record<string, string> = {
  istioValidate: '', workloadsValidate: 'Ignore', namespacesValidate: 'Ignore', referencesValidate: 'Ignore', secretsValidate: 'Ignore',
  podsMutate: '', workloadsMutate: '', istioMutate: '',
};

const SKIP_UNCHANGED_UPDATES = {
  name: 'skip-unchanged-updates',
  expression: "request.operation != 'UPDATE' || object.spec != oldObject.spec || "
    + '(has(object.metadata.labels) ? object.metadata.labels : {}) != (has(oldObject.metadata.labels) ? oldObject.metadata.labels : {}) || '
    + '(has(object.metadata.annotations) ? object.metadata.annotations : {}) != (has(oldObject.metadata.annotations) ? oldObject.metadata.annotations : {})',
};

const SKIP_CONTROLLER_DELETES = {
  name: 'skip-namespace-and-garbage-collection',
  expression: "!(request.userInfo.username in ['system:serviceaccount:kube-system:namespace-controller', 'system:serviceaccount:kube-system:generic-garbage-collector'])",
};

/** Parameters of the expected webhook configurations. */
export interface WebhookParams {
  release: string;
  namespace: string;
  /** clientConfig without the path-specific parts: a Service name or a URL base. */
  service?: string;
  url?: string;
  /** base64 CA bundle; absent when cert-manager injects it. */
  caBundle?: string;
  mutatingFailurePolicy?: string;
  validatingFailurePolicy?: string;
  excluded?: string[];
  extraExpressions?: unknown[];
  timeoutSeconds?: number;
  /** config.exemptionNamespace (default: the release namespace). */
  exemptionNamespace?: string;
  /** webhook.failurePolicies entries that differ from DEFAULT_FAILURE_POLICIES. */
  failurePolicies?: Record<string, string>;
  /** webhook.meshNamespaces (default MESH_NAMESPACES). */
  meshNamespaces?: Array<{ name: string; matchExpressions?: unknown[] }>;
  /** webhook.workloadExcludedNamespaces. */
  workloadExcluded?: string[];
  /** config.istioRootNamespace (default istio-system). */
  istioRoot?: string;
  /** webhook.secretDeletes when enabled. */
  secretDeletes?: { namespaces?: string[]; objectSelector?: Record<string, unknown> };
}

/** The failurePolicy of one webhook (a webhook.failurePolicies key), else the configuration's. */
function failurePolicyOf(p: WebhookParams, key: string, configurationWide: string): string {
  return { ...DEFAULT_FAILURE_POLICIES, ...p.failurePolicies }[key] || configurationWide;
}

/**
 * The Pod or workload webhooks: one per mesh namespace selector, never in Istio's root namespace
 * nor webhook.workloadExcludedNamespaces.
 */
function meshWebhooks(p: WebhookParams, base: string, path: string, failurePolicy: string, reinvocationPolicy?: string, matchConditions?: unknown[]): Array<Record<string, unknown>> {
  return (p.meshNamespaces ?? MESH_NAMESPACES).map((sel) => {
    const hook = webhook(p, base, path, failurePolicy, reinvocationPolicy);
    const excluded = [...new Set([p.namespace, 'kube-system', 'kube-public', 'kube-node-lease', ...(p.excluded ?? []), p.istioRoot ?? 'istio-system', ...(p.workloadExcluded ?? [])])];
    const { rules, ...head } = hook;
    return {
      ...head,
      name: sel.name ? `${sel.name}.${base}` : base,
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded },
          ...(p.extraExpressions ?? []), ...(sel.matchExpressions ?? []),
        ],
      },
      ...(matchConditions ? { matchConditions } : {}),
      rules,
    };
  });
}

/** The referential-integrity webhook: deletions and Service port changes, never by the namespace controller or GC. */
function referencesWebhook(p: WebhookParams, fp: string): Record<string, unknown> {
  const { rules, ...head } = webhook(p, 'references.validate.meshguard.io', '/validate', failurePolicyOf(p, 'referencesValidate', fp));
  return {
    ...head,
    matchConditions: [
      SKIP_CONTROLLER_DELETES,
      {
        name: 'skip-updates-keeping-service-ports',
        expression: "request.operation != 'UPDATE' || !has(object.spec.ports) || !has(oldObject.spec.ports) || object.spec.ports != oldObject.spec.ports",
      },
    ],
    rules,
  };
}

/** The Secret deletion webhook (webhook.secretDeletes.enabled). */
function secretsWebhook(p: WebhookParams, fp: string): Record<string, unknown> {
  const { rules, namespaceSelector, ...head } = webhook(p, 'secrets.validate.meshguard.io', '/validate', failurePolicyOf(p, 'secretsValidate', fp));
  const expressions = (namespaceSelector as { matchExpressions: unknown[] }).matchExpressions;
  const only = p.secretDeletes?.namespaces ?? [];
  return {
    ...head,
    namespaceSelector: { matchExpressions: [...expressions, ...(only.length > 0 ? [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: only }] : [])] },
    objectSelector: p.secretDeletes?.objectSelector ?? {},
    matchConditions: [SKIP_CONTROLLER_DELETES, { name: 'only-tls-and-opaque-secrets', expression: "has(oldObject.type) && oldObject.type in ['kubernetes.io/tls', 'Opaque']" }],
    rules,
  };
}

function webhook(p: WebhookParams, name: string, path: string, failurePolicy: string, reinvocationPolicy?: string): Record<string, unknown> {
  const clientConfig: Record<string, unknown> = p.url
    ? { url: `${p.url}${path}` }
    : { service: { name: p.service ?? 'meshguard', namespace: p.namespace, path, port: 443 } };
  if (p.caBundle !== undefined) clientConfig.caBundle = p.caBundle;
  return {
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    timeoutSeconds: p.timeoutSeconds ?? 5,
    failurePolicy,
    matchPolicy: 'Equivalent',
    ...(reinvocationPolicy ? { reinvocationPolicy } : {}),
    clientConfig,
    namespaceSelector: {
      matchExpressions: [
        {
          key: 'kubernetes.io/metadata.name',
          operator: 'NotIn',
          values: [p.namespace, 'kube-system', 'kube-public', 'kube-node-lease', ...(p.excluded ?? [])],
        },
        ...(p.extraExpressions ?? []),
      ],
    },
    rules: RULES[name],
  };
}

/** The webhook for Exemption objects: only in meshguard's namespace, failing open. */
function exemptionsWebhook(p: WebhookParams): Record<string, unknown> {
  const { namespaceSelector: _, ...rest } = webhook(p, 'exemptions.validate.meshguard.io', '/validate', 'Ignore');
  const { rules, ...head } = rest;
  return {
    ...head,
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [p.exemptionNamespace ?? p.namespace] }] },
    rules,
  };
}

function metadata(p: WebhookParams, name: string, webhookName: string, certManagerFrom?: string): Record<string, unknown> {
  return {
    name,
    labels: { ...labels(p.release), 'meshguard.io/managed': 'true', 'meshguard.io/webhook-name': webhookName },
    ...(certManagerFrom ? { annotations: { 'cert-manager.io/inject-ca-from': certManagerFrom } } : {}),
  };
}

/** The whole MutatingWebhookConfiguration. */
export function mutatingConfiguration(p: WebhookParams, name: string, webhookName: string, certManagerFrom?: string): unknown {
  const fp = p.mutatingFailurePolicy ?? 'Ignore';
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: metadata(p, name, webhookName, certManagerFrom),
    webhooks: [
      ...meshWebhooks(p, 'pods.mutate.meshguard.io', '/mutate', failurePolicyOf(p, 'podsMutate', fp), 'IfNeeded'),
      ...meshWebhooks(p, 'workloads.mutate.meshguard.io', '/mutate', failurePolicyOf(p, 'workloadsMutate', fp), 'Never', [SKIP_UNCHANGED_UPDATES]),
      webhook(p, 'istio.mutate.meshguard.io', '/mutate', failurePolicyOf(p, 'istioMutate', fp), 'Never'),
    ],
  };
}

/** The whole ValidatingWebhookConfiguration. */
export function validatingConfiguration(p: WebhookParams, name: string, webhookName: string, certManagerFrom?: string): unknown {
  const fp = p.validatingFailurePolicy ?? 'Fail';
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: metadata(p, name, webhookName, certManagerFrom),
    webhooks: [
      webhook(p, 'istio.validate.meshguard.io', '/validate', failurePolicyOf(p, 'istioValidate', fp)),
      ...meshWebhooks(p, 'workloads.validate.meshguard.io', '/validate', failurePolicyOf(p, 'workloadsValidate', fp), undefined, [SKIP_UNCHANGED_UPDATES]),
      webhook(p, 'namespaces.validate.meshguard.io', '/validate', failurePolicyOf(p, 'namespacesValidate', fp)),
      exemptionsWebhook(p),
      referencesWebhook(p, fp),
      ...(p.secretDeletes ? [secretsWebhook(p, fp)] : []),
    ],
  };
}

/** The container's env with the default values (release `meshguard`). */
export const DEFAULT_ENV = [
  { name: 'MESHGUARD_MODE', value: 'server' },
  { name: 'MESHGUARD_HOST', value: '0.0.0.0' },
  { name: 'MESHGUARD_PORT', value: '8443' },
  { name: 'MESHGUARD_PROBE_PORT', value: '8080' },
  { name: 'MESHGUARD_TLS_CERT_FILE', value: '/etc/meshguard/tls/tls.crt' },
  { name: 'MESHGUARD_TLS_KEY_FILE', value: '/etc/meshguard/tls/tls.key' },
  { name: 'MESHGUARD_ORG_CONFIG', value: '/etc/meshguard/org-config/org-config.yaml' },
  { name: 'MESHGUARD_BODY_LIMIT', value: '3145728' },
  { name: 'MESHGUARD_FAILURE_MODE', value: 'deny' },
  { name: 'MESHGUARD_LOG_LEVEL', value: 'info' },
  { name: 'MESHGUARD_KUBE', value: 'on' },
  { name: 'MESHGUARD_WEBHOOK_NAME', value: 'meshguard' },
  { name: 'MESHGUARD_SELF_CHECK', value: 'report' },
  { name: 'MESHGUARD_AUDIT_INTERVAL', value: '0' },
  { name: 'MESHGUARD_POLICY_MEMORY_MI_B', value: '256' },
  { name: 'MESHGUARD_DATA_DEBOUNCE_MS', value: '250' },
  { name: 'MESHGUARD_WATCH_INTERVAL_MS', value: '2000' },
  { name: 'MESHGUARD_SHUTDOWN_GRACE_MS', value: '5000' },
  { name: 'MESHGUARD_EXEMPTION_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  { name: 'MESHGUARD_SECRET_NAMESPACES', value: 'istio-system' },
  { name: 'MESHGUARD_CONNECTION_TIMEOUT_MS', value: '30000' },
  { name: 'MESHGUARD_KEEP_ALIVE_TIMEOUT_MS', value: '100000' },
  { name: 'MESHGUARD_HEADERS_TIMEOUT_MS', value: '5000' },
  { name: 'MESHGUARD_REQUEST_TIMEOUT_MS', value: '10000' },
  { name: 'MESHGUARD_MAX_IN_FLIGHT', value: '64' },
  { name: 'MESHGUARD_EVALUATION_WORKERS', value: '2' },
  { name: 'MESHGUARD_EVALUATION_TIMEOUT_MS', value: '2000' },
  { name: 'MESHGUARD_EVALUATION_QUEUE_LIMIT', value: '256' },
  { name: 'MESHGUARD_ISTIO_ROOT_NAMESPACE', value: 'istio-system' },
  { name: 'MESHGUARD_SECRET_TLS_FACTS', value: 'off' },
  { name: 'MESHGUARD_SNAPSHOT_MAX_AGE_SECONDS', value: '300' },
  { name: 'MESHGUARD_SNAPSHOT_REFRESH_SECONDS', value: '30' },
  { name: 'MESHGUARD_SNAPSHOT_INTERVAL', value: '0' },
];

/** Restricted pod security: the pod's securityContext. */
export const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Restricted pod security: the container's securityContext. */
export const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
