import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi, type V1Pod, type V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/inventory/objects.js';
import { expectedMutation, expectedVerdict } from './expectations.js';
import { NS, startHarness, type Harness } from './harness.js';
import { createIstio, getIstio, istio, rejection, userView, warningTexts } from './kube-api.js';
import { metricValue, type MeshguardProcess } from './meshguard-process.js';
import { waitFor } from './processes.js';

/** What follows the message of every finding of the built-in exemption authorization check. */
const AUTHZ_TAIL = 'Fix: Remove the exemption annotation or enforcement label, or have a granter write it naming known, unlocked rules with an expiry within the horizon. '
  + 'Exempt: never (this check guards exemptions). See docs/rules.md#meshguard-exemption-authorization';

/** Waits until the cluster data pushed to meshguard's policy engine holds `count` objects of `kind`. */
async function inventoryHolds(mg: MeshguardProcess, kind: string, count: number): Promise<void> {
  await waitFor(`policy data ${kind}=${count}`, async () => (metricValue(await mg.metrics(), 'meshguard_policy_data_objects', `kind="${kind}"`) === count ? true : undefined), { timeoutMs: 15_000, intervalMs: 100 });
}

/** Creates a Service with one port and waits until meshguard's inventory holds every Service of the cluster. */
async function createService(h: Harness, mg: MeshguardProcess, name: string, port: number): Promise<KubeObject> {
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS.mesh }, spec: { ports: [{ name: 'http', port }] } };
  const core = h.kc.makeApiClient(CoreV1Api);
  await core.createNamespacedService({ namespace: NS.mesh, body: svc as V1Service });
  await inventoryHolds(mg, 'Service', (await core.listServiceForAllNamespaces()).items.length);
  return svc;
}

const EXEMPT = 'meshguard.io/exempt';
/** An expiry well inside the default 90-day horizon. */
const SOON = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const namespaces: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.mesh, labels: { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': NS.mesh } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.plain, labels: { 'kubernetes.io/metadata.name': NS.plain } } },
];

describe('admission through a real kube-apiserver', { timeout: 300_000 }, () => {
  let h: Harness;
  let mg: MeshguardProcess;
  before(async () => {
    h = await startHarness({ webhooks: true });
    mg = h.meshguard as MeshguardProcess;
    console.error(`e2e harness start (ms): ${JSON.stringify(h.timings)}`);
  });
  after(async () => {
    await h?.stop();
  });

  it('rejects a PeerAuthentication with a PERMISSIVE port-level override, naming [pa-strict-mtls]', async () => {
    const pa = istio('PeerAuthentication', NS.mesh, 'port-override', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } });
    const want = await expectedVerdict(pa, namespaces);
    assert.ok(want.message?.includes('[pa-strict-mtls]'));
    assert.deepEqual(await rejection(createIstio(h.kc, pa)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "istio.validate.meshguard.io" denied the request: ${want.message}`,
    });
    assert.equal(await getIstio(h.kc, 'PeerAuthentication', NS.mesh, 'port-override'), undefined);
  });

  it('rejects a VirtualService routing to a subset its DestinationRule does not define, naming [vs-subset-exists]', async () => {
    const dr = istio('DestinationRule', NS.mesh, 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    const created = await createIstio(h.kc, dr);
    await inventoryHolds(mg, 'DestinationRule', 1);
    const svc = await createService(h, mg, 'reviews', 9080);
    const vs = istio('VirtualService', NS.mesh, 'reviews', {
      hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }],
    });
    const want = await expectedVerdict(vs, [...namespaces, created.object, svc]);
    assert.ok(want.message?.includes('[vs-subset-exists IST0101] '), want.message);
    assert.deepEqual(await rejection(createIstio(h.kc, vs)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "istio.validate.meshguard.io" denied the request: ${want.message}`,
    });
    const ok = istio('VirtualService', NS.mesh, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] });
    assert.deepEqual(userView((await createIstio(h.kc, ok)).object), ok);
  });

  it('rejects a VirtualService to a host no Service defines, naming [vs-destination-host], and admits it once the Service exists', async () => {
    const vs = istio('VirtualService', NS.mesh, 'details', { hosts: ['details'], http: [{ route: [{ destination: { host: 'details', port: { number: 9080 } } }] }] });
    const message = `[vs-destination-host IST0101] VirtualService ${NS.mesh}/details routes to details (spec.http[0].route[0].destination), but no Service or ServiceEntry visible to it has that host (Referenced host not found: "details"). `
      + 'Fix: Correct the destination host to a Service or ServiceEntry visible from this namespace (and a port it exposes), or create that Service first. '
      + `Exempt: an Exemption in namespace ${NS.system}, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. See docs/rules.md#vs-destination-host`;
    assert.equal((await expectedVerdict(vs, namespaces)).message, message, 'the offline check gives the same answer');
    assert.deepEqual(await rejection(createIstio(h.kc, vs)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "istio.validate.meshguard.io" denied the request: ${message}`,
    });
    assert.equal(await getIstio(h.kc, 'VirtualService', NS.mesh, 'details'), undefined);
    await createService(h, mg, 'details', 9080);
    assert.deepEqual(userView((await createIstio(h.kc, vs)).object), vs);
  });

  it('rejects a VirtualService bound to a missing Kubernetes Gateway ns/name, naming [vs-gateway-exists], and admits it once the Gateway exists', async () => {
    const svc = await createService(h, mg, 'storefront', 8080);
    const vs = istio('VirtualService', NS.mesh, 'storefront', { hosts: ['shop.example.com'], gateways: [`${NS.plain}/edge`], http: [{ route: [{ destination: { host: 'storefront' } }] }] });
    const message = `[vs-gateway-exists IST0101] VirtualService ${NS.mesh}/storefront is bound to gateway ${NS.plain}/edge (spec.gateways[0]), but Gateway ${NS.plain}/edge does not exist. `
      + 'Fix: Correct spec.gateways to an existing Gateway (`<namespace>/<name>`, or a name in this namespace), or create the Gateway first. '
      + `Exempt: an Exemption in namespace ${NS.system}, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. See docs/rules.md#vs-gateway-exists`;
    assert.equal((await expectedVerdict(vs, [...namespaces, svc])).message, message, 'the offline check gives the same answer');
    assert.deepEqual(await rejection(createIstio(h.kc, vs)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "istio.validate.meshguard.io" denied the request: ${message}`,
    });
    assert.equal(await getIstio(h.kc, 'VirtualService', NS.mesh, 'storefront'), undefined);
    const gateway: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: NS.plain }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
    await h.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: NS.plain, plural: 'gateways', body: gateway });
    await inventoryHolds(mg, 'KubernetesGateway', 1);
    const want = await expectedVerdict(vs, [...namespaces, svc, gateway]);
    assert.equal(want.allowed, true, want.message);
    assert.ok(!want.ids.includes('vs-gateway-exists'));
    const created = await createIstio(h.kc, vs);
    assert.deepEqual(userView(created.object), vs);
    assert.deepEqual(warningTexts(created.headers.warning), want.warnings);
  });

  it('rejects a Telemetry that samples 100% of requests, naming [tm-sampling-cap]', async () => {
    const tm = istio('Telemetry', NS.mesh, 'tracing', { tracing: [{ randomSamplingPercentage: 100 }] });
    const want = await expectedVerdict(tm, namespaces);
    assert.ok(want.message?.startsWith('[tm-sampling-cap] '), want.message);
    assert.deepEqual(await rejection(createIstio(h.kc, tm)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "istio.validate.meshguard.io" denied the request: ${want.message}`,
    });
  });

  it('sees Secrets as metadata only: a Gateway naming a missing TLS Secret is rejected, then admitted once it exists', async () => {
    const gw = istio('Gateway', NS.mesh, 'web', {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['web.example.com'], tls: { mode: 'SIMPLE', credentialName: 'web-cert' } }],
    });
    const want = await expectedVerdict(gw, namespaces);
    assert.ok(want.message?.includes('[gw-credential-secret IST0101] '), want.message);
    assert.deepEqual(await rejection(createIstio(h.kc, gw)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "istio.validate.meshguard.io" denied the request: ${want.message}`,
    });
    const secret = {
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'web-cert', namespace: NS.mesh },
      data: { 'tls.crt': Buffer.from('cert').toString('base64'), 'tls.key': Buffer.from('key').toString('base64') },
    };
    await h.kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: NS.mesh, body: secret });
    await inventoryHolds(mg, 'Secret', 1);
    assert.deepEqual(userView((await createIstio(h.kc, gw)).object), gw);
  });

  it('returns a warn-mode finding as an API warning and admits the object', async () => {
    const sc = istio('Sidecar', NS.mesh, 'default', { egress: [{ hosts: ['*/*'] }] });
    const want = await expectedVerdict(sc, namespaces);
    assert.equal(want.allowed, true);
    assert.ok(want.warnings.some((w) => w.startsWith('[sc-egress-wildcard] ')), JSON.stringify(want.warnings));
    const { object, headers } = await createIstio(h.kc, sc);
    assert.deepEqual(warningTexts(headers.warning), want.warnings);
    assert.deepEqual(userView(object), sc);
  });

  it('sizes the sidecar of a Pod created in an injected namespace (all four proxy annotations)', async () => {
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: NS.mesh, labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'registry.invalid/web:1', resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } }] },
    };
    const want = await expectedMutation(pod, namespaces);
    const created = await h.kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: NS.mesh, body: pod as V1Pod });
    const annotations = created.metadata?.annotations ?? {};
    for (const key of ['proxyCPU', 'proxyCPULimit', 'proxyMemory', 'proxyMemoryLimit']) assert.ok(annotations[`sidecar.istio.io/${key}`], `sidecar.istio.io/${key} missing`);
    assert.deepEqual(annotations, want.metadata?.annotations);
  });

  it('defaults a DestinationRule to an in-mesh host without TLS to ISTIO_MUTUAL', async () => {
    const dr = istio('DestinationRule', NS.mesh, 'ratings', { host: `ratings.${NS.mesh}.svc.cluster.local` });
    const { object } = await createIstio(h.kc, dr);
    assert.deepEqual(object.spec, { host: `ratings.${NS.mesh}.svc.cluster.local`, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    const plain = istio('DestinationRule', NS.plain, 'ratings', { host: `ratings.${NS.plain}.svc.cluster.local` });
    assert.deepEqual((await createIstio(h.kc, plain)).object.spec, { host: `ratings.${NS.plain}.svc.cluster.local` }, 'a namespace outside the mesh is left alone');
  });

  it('answers a server-side dry run with the mutated or denied object and stores nothing', async () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dry', namespace: NS.mesh }, spec: { containers: [{ name: 'app', image: 'registry.invalid/a:1' }] } };
    const want = await expectedMutation(pod, namespaces);
    const core = h.kc.makeApiClient(CoreV1Api);
    const dry = await core.createNamespacedPod({ namespace: NS.mesh, body: pod as V1Pod, dryRun: 'All' });
    assert.deepEqual(dry.metadata?.annotations, want.metadata?.annotations);
    assert.equal((await rejection(core.readNamespacedPod({ name: 'dry', namespace: NS.mesh }))).code, 404);

    const dr = istio('DestinationRule', NS.mesh, 'dry-dr', { host: `details.${NS.mesh}.svc.cluster.local` });
    assert.deepEqual((await createIstio(h.kc, dr, { dryRun: true })).object.spec, { host: `details.${NS.mesh}.svc.cluster.local`, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    assert.equal(await getIstio(h.kc, 'DestinationRule', NS.mesh, 'dry-dr'), undefined);

    const pa = istio('PeerAuthentication', NS.mesh, 'dry-pa', { mtls: { mode: 'DISABLE' } });
    const denied = await rejection(createIstio(h.kc, pa, { dryRun: true }));
    assert.equal(denied.code, 403);
    assert.equal(denied.message, `admission webhook "istio.validate.meshguard.io" denied the request: ${(await expectedVerdict(pa, namespaces)).message}`);
    assert.equal(await getIstio(h.kc, 'PeerAuthentication', NS.mesh, 'dry-pa'), undefined);
  });

  it('admits an object exempted by the meshguard.io/exempt annotation a granter (system:masters) wrote, never for a locked rule', async () => {
    const exemption = (rules: string[]) => JSON.stringify({ rules, owner: 'platform@example.com', expires: SOON });
    const tm = istio('Telemetry', NS.mesh, 'legacy-trace', { tracing: [{ randomSamplingPercentage: 100 }] }, { annotations: { [EXEMPT]: exemption(['tm-sampling-cap']) } });
    assert.equal((await expectedVerdict(tm, namespaces)).allowed, true);
    assert.deepEqual(userView((await createIstio(h.kc, tm)).object), tm);

    const pa = istio('PeerAuthentication', NS.mesh, 'legacy', { mtls: { mode: 'PERMISSIVE' } }, { annotations: { [EXEMPT]: exemption(['pa-strict-mtls']) } });
    assert.deepEqual(await rejection(createIstio(h.kc, pa)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: [
        `admission webhook "istio.validate.meshguard.io" denied the request: 2 meshguard rules denied PeerAuthentication ${NS.mesh}/legacy:`,
        `[meshguard-exemption-authorization] annotation meshguard.io/exempt on PeerAuthentication ${NS.mesh}/legacy is refused: rule pa-strict-mtls is locked and cannot be exempted (metadata.annotations.meshguard.io/exempt). ${AUTHZ_TAIL}`,
        `[pa-strict-mtls] PeerAuthentication ${NS.mesh}/legacy sets mtls.mode PERMISSIVE; only STRICT or UNSET is allowed. `
          + 'Fix: Set mtls.mode STRICT (or leave it UNSET) at the top level and in every portLevelMtls entry; a namespace that must accept plain text needs the param `allowedNamespaces` or an org-config exemption entry. '
          + 'Exempt: not exemptible (locked by the org config; only its exemptions.entries apply); meshguard.io/exempt ignored: rule pa-strict-mtls is locked. See docs/rules.md#pa-strict-mtls',
      ].join('\n'),
    });
  });

  it('validates Exemption objects in meshguard namespace and honours them once the informer sees them', async () => {
    const api = h.kc.makeApiClient(CustomObjectsApi);
    const create = (name: string, spec: Record<string, unknown>) => api.createNamespacedCustomObject({
      group: 'policy.meshguard.io', version: 'v1alpha1', plural: 'exemptions', namespace: NS.system,
      body: { apiVersion: 'policy.meshguard.io/v1alpha1', kind: 'Exemption', metadata: { name }, spec: { owner: 'platform@example.com', reason: 'e2e', expires: SOON, ...spec } },
    });
    assert.deepEqual(await rejection(create('mtls', { rules: ['pa-strict-mtls'], match: { namespaces: [NS.plain] } })), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "exemptions.validate.meshguard.io" denied the request: [meshguard-exemption-authorization] Exemption ${NS.system}/mtls is refused: rule pa-strict-mtls is locked and cannot be exempted (spec). ${AUTHZ_TAIL}`,
    });
    const spec = { rules: ['tm-sampling-cap'], match: { namespaces: [NS.plain], kinds: ['Telemetry'] } };
    await create('partner-tracing', spec);
    await inventoryHolds(mg, 'Exemption', 1);
    const tm = istio('Telemetry', NS.plain, 'partner', { tracing: [{ randomSamplingPercentage: 100 }] });
    const stored = { apiVersion: 'policy.meshguard.io/v1alpha1', kind: 'Exemption', metadata: { name: 'partner-tracing', namespace: NS.system }, spec: { owner: 'platform@example.com', reason: 'e2e', expires: SOON, ...spec } };
    assert.deepEqual(await expectedVerdict(tm, [...namespaces, stored]), { allowed: true, warnings: [], ids: [] });
    assert.deepEqual(userView((await createIstio(h.kc, tm)).object), tm);
    assert.equal(metricValue(await mg.metrics(), 'meshguard_exemptions_honoured_total', 'rule="tm-sampling-cap",source="resource"'), 1);
  });

  it('with meshguard stopped, failurePolicy Fail rejects and Ignore admits', async () => {
    await mg.stop();
    const admission = h.kc.makeApiClient(AdmissionregistrationV1Api);
    const validating = await admission.readValidatingWebhookConfiguration({ name: 'meshguard-validating' });
    // Exemption objects fail open: meshguard checks them again whenever it honours one.
    // Only Istio configuration fails closed by default; Pods, workloads, Namespaces and deletions fail open.
    assert.deepEqual(validating.webhooks?.map((w) => [w.name, w.failurePolicy]), [
      ['istio.validate.meshguard.io', 'Fail'], ['workloads.validate.meshguard.io', 'Ignore'], ['revision.workloads.validate.meshguard.io', 'Ignore'],
      ['ambient.workloads.validate.meshguard.io', 'Ignore'], ['namespaces.validate.meshguard.io', 'Ignore'], ['exemptions.validate.meshguard.io', 'Ignore'],
      ['references.validate.meshguard.io', 'Ignore'],
    ]);
    const pa = istio('PeerAuthentication', NS.mesh, 'while-down', { mtls: { mode: 'STRICT' } });
    const failed = await rejection(createIstio(h.kc, pa));
    assert.equal(failed.code, 500);
    assert.match(failed.message, /^Internal error occurred: failed calling webhook "istio\.(mutate|validate)\.meshguard\.io": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/(mutate|validate)\?timeout=5s": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);

    const ignore = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'replace', path: `/webhooks/${i}/failurePolicy`, value: 'Ignore' }));
    await admission.patchValidatingWebhookConfiguration({ name: 'meshguard-validating', body: ignore(validating.webhooks?.length ?? 0) });
    const mutating = await admission.readMutatingWebhookConfiguration({ name: '0-meshguard-mutating' });
    assert.deepEqual(mutating.webhooks?.map((w) => w.failurePolicy), mutating.webhooks?.map(() => 'Ignore'), 'the chart makes the mutating webhooks fail open');
    const permissive = istio('PeerAuthentication', NS.mesh, 'fail-open', { mtls: { mode: 'PERMISSIVE' } });
    const admitted = await waitFor('failurePolicy Ignore in effect', async () => {
      try {
        return (await createIstio(h.kc, permissive)).object;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 20_000, intervalMs: 250 });
    assert.deepEqual(userView(admitted), permissive, 'admitted unchanged: no mutation, no validation');
  });
});
