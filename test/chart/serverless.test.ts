import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SETTINGS, envName } from '../../src/config.js';
import { CONTAINER_SECURITY, labels, mutatingConfiguration, selectorLabels, validatingConfiguration } from './expected.js';
import { helm, one, render, template, type K8sObject } from './helm.js';

const RBAC_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
const URL = 'https://meshguard.meshguard-system.example.com';
const SERVERLESS = { config: { mode: 'serverless' }, webhook: { url: URL } };

/** The Knative Service's env for the default values (release meshguard in meshguard-system). */
const SERVERLESS_ENV = [
  { name: 'MESHGUARD_MODE', value: 'serverless' },
  { name: 'MESHGUARD_HOST', value: '0.0.0.0' },
  { name: 'MESHGUARD_KUBE', value: 'off' },
  { name: 'MESHGUARD_WEBHOOK_NAME', value: 'meshguard' },
  { name: 'MESHGUARD_EXEMPTION_NAMESPACE', value: 'meshguard-system' },
  { name: 'MESHGUARD_SECRET_NAMESPACES', value: 'istio-system' },
  { name: 'MESHGUARD_SNAPSHOT', value: '/etc/meshguard/snapshot/snapshot.gz' },
  { name: 'MESHGUARD_ORG_CONFIG', value: '/etc/meshguard/org-config/org-config.yaml' },
  { name: 'MESHGUARD_AUDIT_INTERVAL', value: '0' },
  { name: 'MESHGUARD_BODY_LIMIT', value: '3145728' },
  { name: 'MESHGUARD_CONNECTION_TIMEOUT_MS', value: '30000' },
  { name: 'MESHGUARD_DATA_DEBOUNCE_MS', value: '250' },
  { name: 'MESHGUARD_EVALUATION_QUEUE_LIMIT', value: '256' },
  { name: 'MESHGUARD_EVALUATION_TIMEOUT_MS', value: '2000' },
  { name: 'MESHGUARD_EVALUATION_WORKERS', value: '2' },
  { name: 'MESHGUARD_FAILURE_MODE', value: 'deny' },
  { name: 'MESHGUARD_HEADERS_TIMEOUT_MS', value: '5000' },
  { name: 'MESHGUARD_ISTIO_ROOT_NAMESPACE', value: 'istio-system' },
  { name: 'MESHGUARD_KEEP_ALIVE_TIMEOUT_MS', value: '100000' },
  { name: 'MESHGUARD_LOG_LEVEL', value: 'info' },
  { name: 'MESHGUARD_MAX_IN_FLIGHT', value: '64' },
  { name: 'MESHGUARD_POLICY_MEMORY_MI_B', value: '256' },
  { name: 'MESHGUARD_REQUEST_TIMEOUT_MS', value: '10000' },
  { name: 'MESHGUARD_SECRET_TLS_FACTS', value: 'off' },
  { name: 'MESHGUARD_SELF_CHECK', value: 'report' },
  { name: 'MESHGUARD_SHUTDOWN_GRACE_MS', value: '5000' },
  { name: 'MESHGUARD_SNAPSHOT_INTERVAL', value: '0' },
  { name: 'MESHGUARD_SNAPSHOT_MAX_AGE_SECONDS', value: '300' },
  { name: 'MESHGUARD_SNAPSHOT_REFRESH_SECONDS', value: '30' },
  { name: 'MESHGUARD_WATCH_INTERVAL_MS', value: '2000' },
];

/** The whole Knative Service for the default serverless values with a snapshot ConfigMap. */
function knativeService(): unknown {
  return {
    apiVersion: 'serving.knative.dev/v1', kind: 'Service',
    metadata: { name: 'meshguard', namespace: 'meshguard-system', labels: labels('meshguard') },
    spec: {
      template: {
        metadata: {
          labels: { ...selectorLabels('meshguard'), 'sidecar.istio.io/inject': 'false' },
          annotations: { 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/max-scale': '10', 'sidecar.istio.io/inject': 'false' },
        },
        spec: {
          serviceAccountName: 'meshguard', automountServiceAccountToken: false, enableServiceLinks: false, containerConcurrency: 64, timeoutSeconds: 30,
          containers: [{
            name: 'meshguard', image: 'meshguard/meshguard:0.1.0', imagePullPolicy: 'IfNotPresent', args: ['serve'],
            env: SERVERLESS_ENV,
            ports: [{ name: 'http1', containerPort: 8080, protocol: 'TCP' }],
            livenessProbe: { httpGet: { path: '/livez' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
            readinessProbe: { httpGet: { path: '/readyz' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
            resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '512Mi' } },
            securityContext: { ...CONTAINER_SECURITY, runAsUser: 65532, runAsGroup: 65532 },
            volumeMounts: [
              { name: 'org-config', mountPath: '/etc/meshguard/org-config', readOnly: true },
              { name: 'snapshot', mountPath: '/etc/meshguard/snapshot', readOnly: true },
            ],
          }],
          volumes: [
            { name: 'org-config', configMap: { name: 'meshguard-org-config' } },
            { name: 'snapshot', configMap: { name: 'meshguard-snapshot', optional: true, items: [{ key: 'snapshot.gz', path: 'snapshot.gz' }] } },
          ],
        },
      },
    },
  };
}

describe('chart: config.mode serverless (Knative)', { timeout: 40 * 60_000 }, () => {
  let objects: K8sObject[];
  before(async () => {
    await helm();
    objects = await render({ values: { ...SERVERLESS, serverless: { snapshot: { configMap: 'meshguard-snapshot' } } } });
  });

  it('renders a Knative Service instead of the Deployment, Service, PodDisruptionBudget and generated certificate', () => {
    const kinds = objects.filter((o) => !RBAC_KINDS.has(o.kind)).map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration/0-meshguard-mutating',
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration/meshguard-validating',
      'serving.knative.dev/v1 Service/meshguard',
      'v1 ConfigMap/meshguard-org-config',
      'v1 ServiceAccount/meshguard',
    ]);
  });

  it('the Knative Service: scale bounds, concurrency from maxInFlight, probes, resources, the restricted security context, the mounted snapshot', () => {
    assert.deepEqual(one(objects, 'Service'), knativeService());
  });

  it('passes every setting except those Knative and the snapshot mount decide (mode, $PORT, no cluster view)', () => {
    const spec = (one(objects, 'Service').spec as { template: { spec: { containers: Array<{ env: Array<{ name: string }> }> } } }).template.spec;
    const names = (spec.containers[0]?.env ?? []).map((e) => e.name);
    const unset = ['port', 'probePort', 'tlsCertFile', 'tlsKeyFile', 'policyBundle', 'kubeconfig', 'snapshotOutput'].map(envName);
    assert.deepEqual([...names].sort(), SETTINGS.map((s) => envName(s.key)).filter((n) => !unset.includes(n)).sort());
  });

  it('the chart\'s ServiceAccount may write the snapshot ConfigMap (for `meshguard snapshot` in a CronJob), nothing more', () => {
    const role = one(objects, 'Role', 'meshguard-snapshot');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['meshguard-snapshot'], verbs: ['get', 'patch'] },
    ]);
    assert.equal(role.metadata.namespace, 'meshguard-system');
  });

  it('the webhooks call webhook.url with no CA bundle (a publicly trusted route), or with tls.caBundle', async () => {
    const params = { release: 'meshguard', namespace: 'meshguard-system', url: URL };
    assert.deepEqual(one(objects, 'MutatingWebhookConfiguration'), mutatingConfiguration(params, '0-meshguard-mutating', 'meshguard'));
    assert.deepEqual(one(objects, 'ValidatingWebhookConfiguration'), validatingConfiguration(params, 'meshguard-validating', 'meshguard'));
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----').toString('base64');
    const withCa = await render({ values: { ...SERVERLESS, tls: { caBundle } } });
    assert.deepEqual(one(withCa, 'ValidatingWebhookConfiguration'), validatingConfiguration({ ...params, caBundle }, 'meshguard-validating', 'meshguard'));
  });

  it('min-scale 0, a snapshot URL and a Secret are rendered as given', async () => {
    const zero = await render({ values: { config: { mode: 'serverless', snapshot: 'https://snapshots.example.com/mesh.gz' }, webhook: { url: URL }, serverless: { minScale: 0, maxScale: 3, containerConcurrency: 16 } } });
    const template = (one(zero, 'Service').spec as { template: { metadata: { annotations: Record<string, string> }; spec: { containerConcurrency: number; containers: Array<{ env: Array<{ name: string; value: string }> }> } } }).template;
    assert.deepEqual([template.metadata.annotations['autoscaling.knative.dev/min-scale'], template.metadata.annotations['autoscaling.knative.dev/max-scale'], template.spec.containerConcurrency], ['0', '3', 16]);
    assert.equal(template.spec.containers[0]?.env.find((e) => e.name === 'MESHGUARD_SNAPSHOT')?.value, 'https://snapshots.example.com/mesh.gz');
    const secret = await render({ values: { ...SERVERLESS, serverless: { snapshot: { secret: 'mesh-snapshot' } } } });
    const volumes = (one(secret, 'Service').spec as { template: { spec: { volumes: unknown[] } } }).template.spec.volumes;
    assert.deepEqual(volumes[1], { name: 'snapshot', secret: { secretName: 'mesh-snapshot', optional: true, items: [{ key: 'snapshot.gz', path: 'snapshot.gz' }] } });
  });

  it('refuses what cannot work serverless, naming the value', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ config: { mode: 'serverless' } }, 'config.mode serverless needs webhook.url: the HTTPS URL of the Knative route the API server calls'],
      [{ ...SERVERLESS, certManager: { enabled: true } }, 'certManager.enabled does not apply to config.mode serverless'],
      [{ ...SERVERLESS, networkPolicy: { enabled: true } }, 'networkPolicy.enabled does not apply to config.mode serverless'],
      [{ config: { mode: 'serverless', snapshot: '/x' }, webhook: { url: URL }, serverless: { snapshot: { configMap: 'a' } } }, 'config.snapshot and serverless.snapshot.configMap/secret are exclusive'],
    ];
    for (const [values, message] of cases) {
      const result = await template({ values });
      assert.notEqual(result.code, 0, message);
      assert.ok(result.stderr.includes(message), `${message}\n${result.stderr}`);
    }
  });
});

describe('chart: config.snapshotOutput of a server-mode installation', { timeout: 40 * 60_000 }, () => {
  it('passes the settings and lets the ServiceAccount write that one ConfigMap', async () => {
    await helm();
    const objects = await render({ values: { config: { snapshotOutput: 'configmap:mesh-context/snapshot', snapshotInterval: 60 } } });
    const role = one(objects, 'Role', 'meshguard-snapshot');
    assert.equal(role.metadata.namespace, 'mesh-context');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['snapshot'], verbs: ['get', 'patch'] },
    ]);
    assert.deepEqual(one(objects, 'RoleBinding', 'meshguard-snapshot').subjects, [{ kind: 'ServiceAccount', name: 'meshguard', namespace: 'meshguard-system' }]);
    const env = (one(objects, 'Deployment').spec as { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } }).template.spec.containers[0]?.env ?? [];
    assert.deepEqual(env.filter((e) => e.name.startsWith('MESHGUARD_SNAPSHOT')), [
      { name: 'MESHGUARD_SNAPSHOT_MAX_AGE_SECONDS', value: '300' },
      { name: 'MESHGUARD_SNAPSHOT_REFRESH_SECONDS', value: '30' },
      { name: 'MESHGUARD_SNAPSHOT_OUTPUT', value: 'configmap:mesh-context/snapshot' },
      { name: 'MESHGUARD_SNAPSHOT_INTERVAL', value: '60' },
    ]);
  });
});
