import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { labels, mutatingConfiguration, selectorLabels, validatingConfiguration } from './expected.js';
import { RESOURCES } from '../../src/kube/resources.js';
import { readBundle } from '../../src/policy/bundle.js';
import { builtinBundle } from '../support/paths.js';
import { CHART, ROOT, all, helm, one, parseObjects, render, runHelm, template, type K8sObject } from './helm.js';

const run = promisify(execFile);

/** A real throwaway CA certificate (PEM, trimmed) for the tls.caBundle cases. */
let CA_PEM = '';
before(async () => {
  const pems = await generate([{ name: 'commonName', value: 'meshguard-test-ca' }], {
    keyType: 'ec', curve: 'P-256', extensions: [{ name: 'basicConstraints', cA: true }],
  });
  CA_PEM = pems.cert.trim();
});

function volumes(objects: K8sObject[]): Array<{ name: string; secret?: { secretName: string } }> {
  return (one(objects, 'Deployment').spec as { template: { spec: { volumes: Array<{ name: string; secret?: { secretName: string } }> } } }).template.spec.volumes;
}

describe('chart: TLS modes and webhook.url', { timeout: 40 * 60_000 }, () => {
  before(async () => { await helm(); });

  it('certManager.enabled: an Issuer and a Certificate, CA injected into both configurations, no caBundle', async () => {
    const objects = await render({ values: { certManager: { enabled: true } } });
    assert.equal(all(objects, 'Secret').length, 0, 'cert-manager writes the Secret');
    assert.deepEqual(one(objects, 'Issuer'), {
      apiVersion: 'cert-manager.io/v1', kind: 'Issuer',
      metadata: { name: 'meshguard-selfsigned', namespace: 'meshguard-system', labels: labels('meshguard') },
      spec: { selfSigned: {} },
    });
    assert.deepEqual(one(objects, 'Certificate'), {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate',
      metadata: { name: 'meshguard', namespace: 'meshguard-system', labels: labels('meshguard') },
      spec: {
        secretName: 'meshguard-tls',
        commonName: 'meshguard.meshguard-system.svc',
        dnsNames: ['meshguard.meshguard-system.svc', 'meshguard.meshguard-system.svc.cluster.local'],
        duration: '8760h',
        renewBefore: '720h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth'],
        issuerRef: { name: 'meshguard-selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
    const params = { release: 'meshguard', namespace: 'meshguard-system' };
    const from = 'meshguard-system/meshguard';
    assert.deepEqual(one(objects, 'MutatingWebhookConfiguration'), mutatingConfiguration(params, '0-meshguard-mutating', 'meshguard', from));
    assert.deepEqual(one(objects, 'ValidatingWebhookConfiguration'), validatingConfiguration(params, 'meshguard-validating', 'meshguard', from));
    assert.deepEqual(volumes(objects)[0], { name: 'tls', secret: { secretName: 'meshguard-tls' } });
  });

  it('certManager.issuerRef: uses that issuer and creates none', async () => {
    const issuerRef = { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' };
    const objects = await render({ values: { certManager: { enabled: true, issuerRef } } });
    assert.equal(all(objects, 'Issuer').length, 0);
    assert.deepEqual((one(objects, 'Certificate').spec as { issuerRef: unknown }).issuerRef, issuerRef);
  });

  it('tls.existingSecret + tls.caBundle (PEM or base64): mounts that Secret and trusts that CA', async () => {
    for (const caBundle of [CA_PEM, Buffer.from(CA_PEM).toString('base64')]) {
      const objects = await render({ values: { tls: { existingSecret: 'corp-webhook-tls', caBundle } } });
      assert.equal(all(objects, 'Secret').length, 0);
      assert.deepEqual(volumes(objects)[0], { name: 'tls', secret: { secretName: 'corp-webhook-tls' } });
      const params = { release: 'meshguard', namespace: 'meshguard-system', caBundle: Buffer.from(CA_PEM).toString('base64') };
      assert.deepEqual(one(objects, 'MutatingWebhookConfiguration'), mutatingConfiguration(params, '0-meshguard-mutating', 'meshguard'));
      assert.deepEqual(one(objects, 'ValidatingWebhookConfiguration'), validatingConfiguration(params, 'meshguard-validating', 'meshguard'));
    }
  });

  it('webhook.url + tls.caBundle: clientConfig.url instead of the Service (the e2e rendering)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshguard-ca-'));
    try {
      const caFile = path.join(dir, 'ca.pem');
      writeFileSync(caFile, `${CA_PEM}\n`);
      const { stdout } = await run('bash', [path.join(ROOT, 'scripts', 'render-webhooks.sh'), 'e2e', 'meshguard-e2e', 'https://127.0.0.1:9443', caFile,
        '--set', 'webhook.validating.failurePolicy=Ignore']);
      const objects = parseObjects(stdout);
      assert.deepEqual(objects.map((o) => o.kind), ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
      const params = {
        release: 'e2e', namespace: 'meshguard-e2e', url: 'https://127.0.0.1:9443',
        caBundle: Buffer.from(CA_PEM).toString('base64'), validatingFailurePolicy: 'Ignore',
      };
      assert.deepEqual(objects[0], mutatingConfiguration(params, '0-e2e-meshguard-mutating', 'e2e-meshguard'));
      assert.deepEqual(objects[1], validatingConfiguration(params, 'e2e-meshguard-validating', 'e2e-meshguard'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('chart: value sets', { timeout: 40 * 60_000 }, () => {
  before(async () => { await helm(); });

  it('excludes the release namespace, the extra namespaces, and ANDs extra selector expressions', async () => {
    const extra = [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }];
    const objects = await render({
      release: 'guard', namespace: 'istio-guard',
      values: { webhook: { excludedNamespaces: ['legacy', 'kube-system'], namespaceSelectorExpressions: extra, timeoutSeconds: 10, mutating: { failurePolicy: 'Fail' } } },
    });
    const caBundle = (one(objects, 'Secret').data as Record<string, string>)['ca.crt'];
    const params = {
      release: 'guard', namespace: 'istio-guard', service: 'guard-meshguard', caBundle, excluded: ['legacy'],
      extraExpressions: extra, timeoutSeconds: 10, mutatingFailurePolicy: 'Fail',
    };
    assert.deepEqual(one(objects, 'MutatingWebhookConfiguration'), mutatingConfiguration(params, '0-guard-meshguard-mutating', 'guard-meshguard'));
    assert.deepEqual(one(objects, 'ValidatingWebhookConfiguration'), validatingConfiguration(params, 'guard-meshguard-validating', 'guard-meshguard'));
  });

  it('failurePolicy per webhook, own mesh selectors and workload exclusions, Secret deletions when turned on', async () => {
    const meshNamespaces = [{ name: '', matchExpressions: [{ key: 'mesh', operator: 'In', values: ['yes'] }] }, { name: 'all-team', matchExpressions: [] }];
    const failurePolicies = { workloadsValidate: 'Fail', namespacesValidate: 'Fail', podsMutate: 'Fail', secretsValidate: 'Fail' };
    const secretDeletes = { namespaces: ['istio-system'], objectSelector: { matchLabels: { 'meshguard.io/gateway-credential': 'true' } } };
    const objects = await render({
      values: {
        webhook: { failurePolicies, meshNamespaces, workloadExcludedNamespaces: ['istio-ingress'], secretDeletes: { enabled: true, ...secretDeletes } },
        config: { istioRootNamespace: 'mesh-root' },
      },
    });
    const caBundle = (one(objects, 'Secret').data as Record<string, string>)['ca.crt'];
    const params = {
      release: 'meshguard', namespace: 'meshguard-system', caBundle, failurePolicies, meshNamespaces,
      workloadExcluded: ['istio-ingress'], istioRoot: 'mesh-root', secretDeletes,
    };
    assert.deepEqual(one(objects, 'MutatingWebhookConfiguration'), mutatingConfiguration(params, '0-meshguard-mutating', 'meshguard'));
    assert.deepEqual(one(objects, 'ValidatingWebhookConfiguration'), validatingConfiguration(params, 'meshguard-validating', 'meshguard'));
    const policies = (kind: string) => (one(objects, kind).webhooks as Array<{ name: string; failurePolicy: string }>).map((w) => [w.name, w.failurePolicy]);
    assert.deepEqual(policies('ValidatingWebhookConfiguration'), [
      ['istio.validate.meshguard.io', 'Fail'], ['workloads.validate.meshguard.io', 'Fail'], ['all-team.workloads.validate.meshguard.io', 'Fail'],
      ['namespaces.validate.meshguard.io', 'Fail'], ['exemptions.validate.meshguard.io', 'Ignore'], ['references.validate.meshguard.io', 'Ignore'],
      ['secrets.validate.meshguard.io', 'Fail'],
    ]);
    assert.deepEqual(policies('MutatingWebhookConfiguration'), [
      ['pods.mutate.meshguard.io', 'Fail'], ['all-team.pods.mutate.meshguard.io', 'Fail'],
      ['workloads.mutate.meshguard.io', 'Ignore'], ['all-team.workloads.mutate.meshguard.io', 'Ignore'], ['istio.mutate.meshguard.io', 'Ignore'],
    ]);
  });

  it('by default only the Istio configuration webhook fails closed, and Pod webhooks never see istio-system', async () => {
    const objects = await render({});
    const hooks = [...(one(objects, 'ValidatingWebhookConfiguration').webhooks as Array<Record<string, unknown>>), ...(one(objects, 'MutatingWebhookConfiguration').webhooks as Array<Record<string, unknown>>)];
    assert.deepEqual(hooks.filter((w) => w.failurePolicy === 'Fail').map((w) => w.name), ['istio.validate.meshguard.io']);
    const excluded = (w: Record<string, unknown>) => (w.namespaceSelector as { matchExpressions: Array<{ values?: string[] }> }).matchExpressions[0]?.values ?? [];
    for (const w of hooks) {
      const podLike = /(pods|workloads)\.(mutate|validate)/.test(String(w.name));
      assert.equal(excluded(w).includes('istio-system'), podLike, `${String(w.name)}: istio-system excluded only from the Pod and workload webhooks`);
    }
  });

  it('registers UPDATE and DELETE for every kind a rule of the built-in pack judges on those operations', async () => {
    const { catalog } = await readBundle(builtinBundle);
    const hooks = one(await render({ values: { webhook: { secretDeletes: { enabled: true } } } }), 'ValidatingWebhookConfiguration').webhooks as Array<{ rules: Array<{ apiGroups: string[]; resources: string[]; operations: string[] }> }>;
    const registered = (group: string, resource: string, operation: string) => hooks.some((w) => w.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.operations.includes(operation)));
    const judged = Object.values(catalog).filter((r) => r.operations);
    assert.deepEqual(judged.map((r) => r.id).sort(), ['dr-subset-in-use', 'gw-credential-in-use', 'gw-in-use', 'host-in-use', 'waypoint-in-use']);
    for (const rule of judged) {
      for (const kind of rule.kinds ?? []) {
        const spec = RESOURCES[kind];
        assert.ok(spec, `${kind} has an API mapping`);
        for (const op of rule.operations ?? []) assert.ok(registered(spec.group, spec.plural, op), `${rule.id}: ${op} of ${spec.group}/${spec.plural} is registered`);
      }
    }
  });

  it('one replica: no PodDisruptionBudget (it would block node drains)', async () => {
    const objects = await render({ values: { replicaCount: 1 } });
    assert.equal(all(objects, 'PodDisruptionBudget').length, 0);
  });

  it('hard anti-affinity and no spread; user affinity kept beside it', async () => {
    const nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['system'] }] }] } };
    const objects = await render({ values: { podAntiAffinity: 'hard', topologySpread: { enabled: false, maxSkew: 1 }, affinity: { nodeAffinity } } });
    const spec = (one(objects, 'Deployment').spec as { template: { spec: Record<string, unknown> } }).template.spec;
    assert.equal(spec.topologySpreadConstraints, undefined);
    assert.deepEqual(spec.affinity, {
      nodeAffinity,
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels('meshguard') } }] },
    });
  });

  it('networkPolicy and serviceMonitor, when enabled', async () => {
    const from = [{ ipBlock: { cidr: '10.0.0.0/8' } }];
    const objects = await render({ values: { networkPolicy: { enabled: true, webhookFrom: from, metricsFrom: [], egress: [] }, serviceMonitor: { enabled: true, interval: '15s', scrapeTimeout: '5s', labels: { release: 'prom' } } } });
    assert.deepEqual(one(objects, 'NetworkPolicy').spec, {
      podSelector: { matchLabels: selectorLabels('meshguard') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 'https', protocol: 'TCP' }], from }, { ports: [{ port: 'http-probes', protocol: 'TCP' }] }],
      egress: [],
    });
    const monitor = one(objects, 'ServiceMonitor');
    assert.deepEqual(monitor.metadata.labels, { ...labels('meshguard'), release: 'prom' });
    assert.deepEqual(monitor.spec, {
      selector: { matchLabels: selectorLabels('meshguard') },
      namespaceSelector: { matchNames: ['meshguard-system'] },
      endpoints: [{ port: 'http-metrics', path: '/metrics', scheme: 'http', interval: '15s', scrapeTimeout: '5s' }],
    });
  });
});

describe('chart: bad values fail with the key named', { timeout: 40 * 60_000 }, () => {
  before(async () => { await helm(); });

  const schemaCases: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown failureMode', { config: { failureMode: 'maybe' } }, "at '/config/failureMode': value must be one of 'deny', 'allow'"],
    ['a bare YAML on for kube', { config: { kube: true } }, "at '/config/kube': got boolean, want string"],
    ['a port out of range', { config: { port: 70000 } }, "at '/config/port': maximum: got 70,000, want 65,535"],
    ['zero replicas', { replicaCount: 0 }, "at '/replicaCount': minimum: got 0, want 1"],
    ['a misspelt key', { config: { prot: 8443 } }, "at '/config': additional properties 'prot' not allowed"],
    ['a webhook timeout above 30 s', { webhook: { timeoutSeconds: 31 } }, "at '/webhook/timeoutSeconds': maximum: got 31, want 30"],
    ['a plain-HTTP webhook.url', { webhook: { url: 'http://127.0.0.1:8443' } }, "at '/webhook/url'"],
    ['an unknown failurePolicy', { webhook: { validating: { failurePolicy: 'Never' } } }, "at '/webhook/validating/failurePolicy': value must be one of 'Ignore', 'Fail'"],
    ['extraEnv shadowing a setting', { extraEnv: [{ name: 'MESHGUARD_PORT', value: '1' }] }, "at '/extraEnv/0/name'"],
  ];
  for (const [what, values, message] of schemaCases) {
    it(`schema rejects ${what}`, async () => {
      const result = await template({ values });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /values don't meet the specifications of the schema/);
      assert.ok(result.stderr.includes(message), result.stderr);
    });
  }

  const templateCases: Array<[string, Record<string, unknown>, string]> = [
    ['a mutating name that sorts after Istio\'s injector', { webhook: { mutating: { name: 'meshguard-mutating' } } },
      'webhook.mutating.name "meshguard-mutating" must sort before "istio-"'],
    ['a grace period no longer than shutdownGraceMs', { terminationGracePeriodSeconds: 5 },
      'terminationGracePeriodSeconds (5) must be longer than config.shutdownGraceMs (5000 ms)'],
    ['tls.existingSecret without a CA bundle', { tls: { existingSecret: 'corp-tls' } }, 'tls.existingSecret needs tls.caBundle'],
    ['tls.caBundle with cert-manager', { certManager: { enabled: true }, tls: { caBundle: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' } }, 'tls.caBundle cannot be combined with certManager.enabled'],
    ['two policy bundle sources', { policyBundle: { configMap: 'p', path: '/p.tar.gz' } }, 'policyBundle.configMap and policyBundle.path are exclusive'],
    ['a webhookName the configuration names do not contain', { config: { webhookName: 'sentry' } },
      'webhook configuration name "0-meshguard-mutating" must contain config.webhookName "sentry"'],
    ['the same HTTPS and probe port', { config: { probePort: 8443 } }, 'config.port and config.probePort must differ'],
  ];
  for (const [what, values, message] of templateCases) {
    it(`rendering rejects ${what}`, async () => {
      const result = await template({ values });
      assert.notEqual(result.code, 0);
      assert.ok(result.stderr.includes(message), result.stderr);
    });
  }

  it('keeps existingSecret without caBundle when meshguard patches the CA itself', async () => {
    const objects = await render({ values: { tls: { existingSecret: 'corp-tls' }, config: { selfCheck: 'patch' } } });
    const hooks = (one(objects, 'ValidatingWebhookConfiguration').webhooks as Array<{ clientConfig: Record<string, unknown> }>);
    assert.deepEqual(hooks.map((h) => Object.keys(h.clientConfig)), hooks.map(() => ['service']));
    assert.equal(hooks.length, 7);
  });
});

describe('chart: helm lint --strict', { timeout: 40 * 60_000 }, () => {
  before(async () => { await helm(); });

  for (const [what, args] of [
    ['default values', []],
    ['every optional object on', ['--set', 'certManager.enabled=true', '--set', 'networkPolicy.enabled=true', '--set', 'serviceMonitor.enabled=true']],
  ] as Array<[string, string[]]>) {
    it(`passes with ${what}`, async () => {
      const result = await runHelm(['lint', '--strict', CHART, ...args]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
    });
  }
});
