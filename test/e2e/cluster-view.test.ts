import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { KubeHttp, loadKubeConfig } from '../../src/kube/client.js';
import { startCluster } from '../../src/cluster.js';
import { startInformers, type Informers } from '../../src/kube/informers.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { INVENTORY_KINDS, watchScopes } from '../../src/kube/resources.js';
import { runSelfCheck } from '../../src/kube/self-check.js';
import { LAST_APPLIED } from '../../src/kube/strip.js';
import { Metrics } from '../../src/metrics.js';
import type { PolicyService } from '../../src/policy/service.js';
import { Readiness } from '../../src/readiness.js';
import { loadCertificate } from '../../src/tls/certificates.js';
import { apply, writeKubeconfig } from './apiserver.js';
import { helmTemplate, NS, SECRET_NAMESPACES, startHarness, type Harness } from './harness.js';
import { istio, userView } from './kube-api.js';
import { makeCa } from './pki.js';
import { freePort, waitFor } from './processes.js';

const silent = pino({ level: 'silent' }) as FastifyBaseLogger;
const ISTIO_EDGE = istio('Gateway', NS.plain, 'edge', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/web.example.com'] }] });
const K8S_EDGE = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: NS.plain }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
const SECRET_VALUE = 's3cr3t-password-value';
const B64_VALUE = Buffer.from(SECRET_VALUE).toString('base64');

describe('the cluster view against a real kube-apiserver', { timeout: 300_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ meshguard: false });
  });
  after(async () => {
    await h?.stop();
  });

  describe('informers (as the chart ServiceAccount)', () => {
    const inventory = new Inventory();
    const readiness = new Readiness();
    const metrics = new Metrics(false);
    let informers: Informers;
    const core = () => h.kc.makeApiClient(CoreV1Api);
    const lastApplied = (o: object): string => JSON.stringify(o);

    before(async () => {
      // Written as `kubectl apply` does: the last-applied annotation carries the whole Secret, data included.
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS.plain, labels: { app: 'db' } }, stringData: { password: SECRET_VALUE } };
      await core().createNamespacedSecret({ namespace: NS.plain, body: { ...secret, metadata: { ...secret.metadata, annotations: { [LAST_APPLIED]: lastApplied(secret) } } } });
      await apply(h.kc, [istio('VirtualService', NS.plain, 'web', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] }, { annotations: { [LAST_APPLIED]: '{"kind":"VirtualService"}', team: 'web' } }) as never]);
      // An Istio Gateway and a Kubernetes Gateway (Gateway API) of the same namespace and name.
      await apply(h.kc, [ISTIO_EDGE, K8S_EDGE] as never[]);
      // As the chart runs it: Secrets only where gateways live, Exemptions only in meshguard's namespace.
      const namespaces = watchScopes({ secretNamespaces: SECRET_NAMESPACES, exemptionNamespace: NS.system, istioRootNamespace: 'istio-system' });
      informers = startInformers({ http: new KubeHttp(loadKubeConfig(h.saKubeconfig)), inventory, metrics, readiness, log: silent, namespaces });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([informers.synced, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not synced: ${JSON.stringify(readiness.report())}`)), 30_000)))]);
      clearTimeout(timer);
      // A watch opened right after the CRDs were installed may get "429 storage is (re)initializing"
      // once; the reflector retries, and the error clears when the watch is open again.
      await waitFor('watches healthy', async () => (Object.keys(informers.status().errors).length === 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
    });
    after(() => informers?.stop());

    it('lists every inventory kind once, declares them and reports ready', async () => {
      assert.deepEqual(informers.status(), { watching: [...INVENTORY_KINDS], notServed: [], pending: [], errors: {} });
      // One informer per kind, and one per namespace for Secrets (two namespaces).
      assert.deepEqual(readiness.report().checks.kube, { ok: true, detail: `${INVENTORY_KINDS.length + 1} informers synced with ${h.cluster.server}` });
      assert.deepEqual(inventory.scopes(), { ConfigMap: ['istio-system'], Exemption: [NS.system], Secret: SECRET_NAMESPACES });
      for (const kind of INVENTORY_KINDS) assert.equal(inventory.knows(kind), true, kind);
      assert.deepEqual(inventory.namespaceLabels(NS.mesh), { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': NS.mesh });
      const text = await metrics.registry.getSingleMetricAsString('meshguard_inventory_objects');
      assert.match(text, /meshguard_inventory_objects\{kind="Secret"\} 1\n/);
    });

    it('keeps an Istio Gateway and a Kubernetes Gateway of one name apart (Gateway and KubernetesGateway)', () => {
      assert.deepEqual(userView(inventory.get('Gateway', NS.plain, 'edge')), ISTIO_EDGE);
      const k8s = inventory.get('KubernetesGateway', NS.plain, 'edge');
      assert.deepEqual([k8s?.apiVersion, k8s?.kind, k8s?.metadata?.name, k8s?.metadata?.namespace, k8s?.status], ['gateway.networking.k8s.io/v1', 'Gateway', 'edge', NS.plain, undefined]);
      assert.deepEqual((k8s?.spec as { gatewayClassName?: string }).gatewayClassName, 'istio');
    });

    it('keeps Secrets as metadata only: no data, no last-applied copy, anywhere in the inventory', async () => {
      const stored = inventory.get('Secret', NS.plain, 'db');
      assert.deepEqual(Object.keys(stored ?? {}).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.deepEqual(userView(stored), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS.plain, labels: { app: 'db' } } });
      const whole = JSON.stringify(inventory.toJSON());
      assert.ok(!whole.includes(SECRET_VALUE) && !whole.includes(B64_VALUE), 'secret value reached the inventory');

      // A Secret arriving through the watch (not the list) is metadata only too.
      await core().createNamespacedSecret({ namespace: NS.plain, body: { metadata: { name: 'later', namespace: NS.plain, annotations: { [LAST_APPLIED]: `{"data":{"k":"${B64_VALUE}"}}` } }, data: { k: B64_VALUE } } });
      const later = await waitFor('watched Secret', async () => inventory.get('Secret', NS.plain, 'later'), { timeoutMs: 10_000, intervalMs: 50 });
      assert.deepEqual(userView(later), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'later', namespace: NS.plain } });
      assert.ok(!JSON.stringify(inventory.toJSON()).includes(B64_VALUE));
    });

    it('strips managedFields and the last-applied annotation, and follows updates and deletes', async () => {
      const vs = inventory.get('VirtualService', NS.plain, 'web');
      assert.deepEqual(userView(vs), {
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: NS.plain, annotations: { team: 'web' } },
        spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] },
      });
      assert.equal(vs?.metadata?.managedFields, undefined);
      await apply(h.kc, [istio('VirtualService', NS.plain, 'web', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web', port: { number: 8080 } } }] }] }) as never]);
      await waitFor('update seen', async () => ((inventory.get('VirtualService', NS.plain, 'web')?.spec as { http?: Array<{ route: Array<{ destination: { port?: unknown } }> }> })?.http?.[0]?.route[0]?.destination.port ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
      await h.kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace: NS.plain, name: 'web' });
      await waitFor('delete seen', async () => (inventory.get('VirtualService', NS.plain, 'web') ? undefined : true), { timeoutMs: 10_000, intervalMs: 50 });
      assert.equal(inventory.count('VirtualService'), 0);
      assert.equal(inventory.knows('VirtualService'), true, 'an emptied kind stays known');
    });

    it('rides out an API server restart: keeps what it knows, stays ready, retries, then watches again', async () => {
      const seen: Array<{ ok: boolean; detail: string }> = [];
      const poll = setInterval(() => seen.push({ ...(readiness.report().checks.kube as { ok: boolean; detail: string }) }), 50);
      try {
        await h.cluster.restartApiserver(2000);
        await waitFor('watches healthy again', async () => {
          const { errors } = informers.status();
          if (Object.keys(errors).length === 0) return true;
          throw new Error(JSON.stringify(errors));
        }, { timeoutMs: 60_000, intervalMs: 100 });
      } finally {
        clearInterval(poll);
      }
      assert.ok(seen.some((c) => c.detail.includes('retrying: ')), 'the outage shows in the readiness detail');
      assert.ok(seen.every((c) => c.ok), 'readiness stays true after the first sync');
      assert.ok(inventory.get('Secret', NS.plain, 'db'), 'the last known view is kept');
      await apply(h.kc, [istio('VirtualService', NS.plain, 'after-restart', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] }) as never]);
      await waitFor('object created after the restart', async () => inventory.get('VirtualService', NS.plain, 'after-restart'), { timeoutMs: 30_000, intervalMs: 50 });
    });
  });

  describe('an unusable API server', () => {
    it('makes readiness say why, without throwing, and stops cleanly', async () => {
      const port = await freePort();
      const file = path.join(h.tmp, 'unreachable.kubeconfig');
      await writeKubeconfig(file, `https://127.0.0.1:${port}`, h.pki.ca.cert, h.pki.admin);
      const readiness = new Readiness();
      const informers = startInformers({ http: new KubeHttp(loadKubeConfig(file)), inventory: new Inventory(), metrics: new Metrics(false), readiness, log: silent });
      const check = await waitFor('readiness detail', async () => (readiness.report().checks.kube?.detail.includes('ECONNREFUSED') ? readiness.report().checks.kube : undefined), { timeoutMs: 10_000, intervalMs: 50 });
      informers.stop();
      assert.equal(check?.ok, false);
      assert.match(check?.detail ?? '', new RegExp(`^API discovery failed, retrying in \\d+ ms: cannot reach the Kubernetes API at https://127\\.0\\.0\\.1:${port} \\(/api/v1\\): ECONNREFUSED `));
    });

    it('turns a missing kubeconfig into a readiness detail instead of an exception', async () => {
      const readiness = new Readiness();
      const config = loadConfig({ kube: 'on', kubeconfig: path.join(h.tmp, 'missing.kubeconfig'), selfCheck: 'off' }, {});
      const cluster = await startCluster({ config, inventory: new Inventory(), metrics: new Metrics(false), readiness, log: silent, policy: {} as PolicyService, certificate: await loadCertificate(path.join(h.tlsDir, 'tls.crt'), path.join(h.tlsDir, 'tls.key')) });
      cluster.stop();
      assert.deepEqual(readiness.report().checks.kube, { ok: false, detail: `cannot load kubeconfig ${path.join(h.tmp, 'missing.kubeconfig')}: ${path.join(h.tmp, 'missing.kubeconfig')} does not exist` });
    });
  });

  describe('webhook configuration self-check', () => {
    const admission = () => h.kc.makeApiClient(AdmissionregistrationV1Api);
    const withoutServerFields = (c: V1ValidatingWebhookConfiguration): unknown => {
      const { resourceVersion: _r, generation: _g, managedFields: _m, ...metadata } = c.metadata ?? {};
      return { ...c, metadata, webhooks: c.webhooks?.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: undefined } })) };
    };

    it('reports a caBundle that does not trust the serving certificate, then patches only the caBundle', async () => {
      const wrong = await makeCa('not-meshguard-ca');
      const wrongFile = path.join(h.tmp, 'wrong-ca.pem');
      await writeFile(wrongFile, wrong.cert);
      await apply(h.kc, await helmTemplate(['--set-string', 'webhook.url=https://127.0.0.1:1', '--set-file', `tls.caBundle=${wrongFile}`,
        '--show-only', 'templates/mutatingwebhookconfiguration.yaml', '--show-only', 'templates/validatingwebhookconfiguration.yaml']));
      // Labelled like the chart's but not named like them: never read, never patched.
      const stranger = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'someone-else', labels: { 'meshguard.io/managed': 'true' } },
        webhooks: [{ name: 'x.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { url: 'https://127.0.0.1:1/x', caBundle: Buffer.from(wrong.cert).toString('base64') }, rules: [] }] };
      await apply(h.kc, [stranger as never]);
      const before = await admission().readValidatingWebhookConfiguration({ name: 'meshguard-validating' });
      const http = new KubeHttp(loadKubeConfig(h.saKubeconfig));
      const deps = (selfCheck: 'report' | 'patch') => ({
        http, config: { webhookName: 'meshguard', selfCheck, tlsCertFile: path.join(h.tlsDir, 'tls.crt') }, certificatePem: h.pki.meshguard.cert,
        metrics: new Metrics(false), readiness: new Readiness(), log: silent,
      });
      const reported = deps('report');
      const report = await runSelfCheck(reported);
      const mesh = (base: string) => [base, `revision.${base}`, `ambient.${base}`];
      const hooks = {
        '0-meshguard-mutating': [...mesh('pods.mutate.meshguard.io'), ...mesh('workloads.mutate.meshguard.io'), 'istio.mutate.meshguard.io'],
        'meshguard-validating': ['istio.validate.meshguard.io', ...mesh('workloads.validate.meshguard.io'), 'namespaces.validate.meshguard.io', 'exemptions.validate.meshguard.io', 'references.validate.meshguard.io'],
      };
      const drifts = Object.entries(hooks).flatMap(([configuration, names]) => names.map((webhook) => ({ configuration, webhook, problem: 'caBundle does not trust the serving certificate' })));
      assert.deepEqual(report, { drifts, patched: [], checked: ['0-meshguard-mutating', 'meshguard-validating'] });
      assert.match(await reported.metrics.registry.getSingleMetricAsString('meshguard_webhook_configuration_drift'), /configuration="0-meshguard-mutating"\} 1\n.*configuration="meshguard-validating"\} 1/s);
      assert.equal(reported.readiness.report().ready, true, 'drift is reported, never gating readiness');

      const patch = await runSelfCheck(deps('patch'));
      assert.deepEqual(patch, { drifts: [], patched: ['0-meshguard-mutating', 'meshguard-validating'], checked: ['0-meshguard-mutating', 'meshguard-validating'] });
      const afterPatch = await admission().readValidatingWebhookConfiguration({ name: 'meshguard-validating' });
      assert.deepEqual(withoutServerFields(afterPatch), withoutServerFields(before), 'nothing but caBundle changed');
      const caB64 = Buffer.from(new (await import('node:crypto')).X509Certificate(h.pki.ca.cert).toString()).toString('base64');
      assert.deepEqual(afterPatch.webhooks?.map((w) => w.clientConfig.caBundle), hooks['meshguard-validating'].map(() => caB64));
      const untouched = await admission().readValidatingWebhookConfiguration({ name: 'someone-else' });
      assert.equal(untouched.webhooks?.[0]?.clientConfig.caBundle, Buffer.from(wrong.cert).toString('base64'));
    });
  });
});
