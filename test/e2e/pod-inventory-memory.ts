/**
 * Memory cost of keeping Pods in the Inventory, measured on the Inventory alone (no API server):
 * fills an Inventory with N injected Pods (an application container plus istio-init and
 * istio-proxy as Istio's injector writes them, stripped as the informers strip them), and prints
 * the V8 heap used before and after, the size of the JSON the policy engine receives
 * (`Inventory.toJSON()`) and the time to serialise it. Used to decide whether rules that match
 * selectors against bare Pods justify a Pod informer.
 *
 *   node --expose-gc dist/test/e2e/pod-inventory-memory.js [count] [full|metadata]
 *
 * `metadata` keeps what a metadata-only watch (PartialObjectMetadata, as for Secrets) would keep.
 *
 * Prints one JSON object. Not part of `npm run test:e2e` (numbers are reported, never asserted).
 */
import { Inventory } from '../../src/inventory/inventory.js';
import { stripObject } from '../../src/kube/strip.js';

const count = Number(process.argv[2] ?? 10_000);
const NAMESPACES = 50;
const MiB = 1024 * 1024;
const metadataOnly = process.argv[3] === 'metadata';
const POD = { kind: 'Pod', apiVersion: 'v1', metadataOnly };

function env(pairs: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(pairs).map(([name, value]) => ({ name, value }));
}

/** An injected Pod of a Deployment, close to what `kubectl get pod -o json` shows. */
function injectedPod(ns: string, i: number): Record<string, unknown> {
  const app = `svc-${i % 500}`;
  const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } };
  return {
    metadata: {
      name: `${app}-7d9f8c6b5-${i.toString(36).padStart(5, 'x')}`, namespace: ns, uid: `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`,
      labels: { app, version: 'v1', 'pod-template-hash': '7d9f8c6b5', 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': app, 'service.istio.io/canonical-revision': 'v1' },
      annotations: { 'istio.io/rev': 'default', 'kubectl.kubernetes.io/default-container': app, 'prometheus.io/path': '/stats/prometheus', 'prometheus.io/port': '15020', 'prometheus.io/scrape': 'true', 'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8c6b5`, uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }],
    },
    spec: {
      serviceAccountName: app, nodeName: `node-${i % 40}`,
      initContainers: [{ name: 'istio-init', image: 'docker.io/istio/proxyv2:1.24.0', args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020'], resources, securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } } }],
      containers: [
        { name: app, image: `registry.example.com/team/${app}:1.0.${i % 10}`, ports: [{ containerPort: 8080, protocol: 'TCP' }], resources, env: env({ LOG_LEVEL: 'info', PORT: '8080' }), volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] },
        { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.0', args: ['proxy', 'sidecar', '--domain', `${ns}.svc.cluster.local`, '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'], ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }], resources,
          env: env({ PILOT_CERT_PROVIDER: 'istiod', CA_ADDR: 'istiod.istio-system.svc:15012', ISTIO_CPU_LIMIT: '2', PROXY_CONFIG: '{}', ISTIO_META_POD_PORTS: '[{"containerPort":8080,"protocol":"TCP"}]', ISTIO_META_APP_CONTAINERS: app, GOMEMLIMIT: '1073741824', GOMAXPROCS: '2', ISTIO_META_CLUSTER_ID: 'Kubernetes', ISTIO_META_NODE_NAME: `node-${i % 40}`, ISTIO_META_INTERCEPTION_MODE: 'REDIRECT', ISTIO_META_WORKLOAD_NAME: app, ISTIO_META_OWNER: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${app}`, ISTIO_META_MESH_ID: 'cluster.local', TRUST_DOMAIN: 'cluster.local' }),
          readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 15, failureThreshold: 4 },
          securityContext: { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: ['workload-socket', 'credential-socket', 'workload-certs', 'istiod-ca-cert', 'istio-data', 'istio-envoy', 'istio-token', 'istio-podinfo'].map((name) => ({ name, mountPath: `/var/run/${name}` })) },
      ],
      volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data'].map((name) => ({ name, emptyDir: {} })),
    },
    status: { phase: 'Running', podIP: `10.0.${(i >> 8) & 255}.${i & 255}`, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round((process.memoryUsage().heapUsed / MiB) * 10) / 10;
}

const inventory = new Inventory();
inventory.declareKind('Pod');
const before = heapMiB();
for (let i = 0; i < count; i++) inventory.upsert(stripObject(injectedPod(`load-${i % NAMESPACES}`, i), POD));
const after = heapMiB();
const t0 = performance.now();
const json = JSON.stringify(inventory.toJSON());
const serialiseMs = Math.round(performance.now() - t0);
console.log(JSON.stringify({
  pods: count, metadataOnly, gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  heapUsedBeforeMiB: before, heapUsedAfterMiB: after, heapPerPodKiB: Math.round(((after - before) * 1024 / count) * 10) / 10,
  engineDataMiB: Math.round((json.length / MiB) * 10) / 10, serialiseMs,
}, null, 2));
