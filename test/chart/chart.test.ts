import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import tls from 'node:tls';
import { isMap, parseDocument, parse as parseYaml, type YAMLMap } from 'yaml';
import { SETTINGS, envName } from '../../src/config.js';
import { CONTAINER_SECURITY, DEFAULT_ENV, POD_SECURITY, labels, mutatingConfiguration, selectorLabels, validatingConfiguration } from './expected.js';
import { CHART, helm, one, render, template, type K8sObject } from './helm.js';

const RBAC_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
const ISTIO_INJECTOR_CONFIGURATIONS = ['istio-sidecar-injector', 'istio-revision-tag-default', 'istio-sidecar-injector-canary'];

interface PodSpec {
  containers: Array<Record<string, unknown> & { env: Array<{ name: string; value: string }> }>;
  [field: string]: unknown;
}

function podSpec(deployment: K8sObject): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

function decode(secret: K8sObject, key: string): string {
  return Buffer.from((secret.data as Record<string, string>)[key] ?? '', 'base64').toString('utf8');
}

describe('chart: default values', { timeout: 40 * 60_000 }, () => {
  let objects: K8sObject[];
  before(async () => {
    await helm(); // first run builds helm from source (minutes); later runs find it at once
    objects = await render();
  });

  it('renders exactly the expected objects (RBAC aside)', () => {
    const kinds = objects.filter((o) => !RBAC_KINDS.has(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'ConfigMap/meshguard-org-config',
      'Deployment/meshguard',
      'MutatingWebhookConfiguration/0-meshguard-mutating',
      'PodDisruptionBudget/meshguard',
      'Secret/meshguard-tls',
      'Service/meshguard',
      'ServiceAccount/meshguard',
      'ValidatingWebhookConfiguration/meshguard-validating',
    ]);
    for (const o of objects) {
      assert.deepEqual(o.metadata.labels && Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => k in labels('meshguard'))), labels('meshguard'), `${o.kind} labels`);
    }
  });

  it('renders both webhook configurations whole, trusting the generated CA', () => {
    const secret = one(objects, 'Secret', 'meshguard-tls');
    const caBundle = b64(decode(secret, 'ca.crt'));
    const params = { release: 'meshguard', namespace: 'meshguard-system', caBundle };
    assert.deepEqual(one(objects, 'MutatingWebhookConfiguration'), mutatingConfiguration(params, '0-meshguard-mutating', 'meshguard'));
    assert.deepEqual(one(objects, 'ValidatingWebhookConfiguration'), validatingConfiguration(params, 'meshguard-validating', 'meshguard'));
  });

  it('names the mutating configuration so it sorts before every Istio injector configuration', () => {
    const name = one(objects, 'MutatingWebhookConfiguration').metadata.name;
    assert.deepEqual([...ISTIO_INJECTOR_CONFIGURATIONS, name].sort()[0], name);
  });

  it('generates a serving certificate for the Service DNS names that a real TLS client accepts', async () => {
    const secret = one(objects, 'Secret', 'meshguard-tls');
    assert.equal(secret.type, 'kubernetes.io/tls');
    const [ca, crt, key] = [decode(secret, 'ca.crt'), decode(secret, 'tls.crt'), decode(secret, 'tls.key')];
    const leaf = new X509Certificate(crt);
    assert.equal(leaf.subjectAltName, 'DNS:meshguard.meshguard-system.svc, DNS:meshguard.meshguard-system.svc.cluster.local');
    assert.ok(leaf.checkIssued(new X509Certificate(ca)), 'signed by the generated CA');

    const server = tls.createServer({ key, cert: crt }, (socket) => socket.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      for (const servername of ['meshguard.meshguard-system.svc', 'meshguard.meshguard-system.svc.cluster.local']) {
        const socket = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca, servername });
        await once(socket, 'secureConnect');
        assert.equal(socket.authorized, true, `${servername}: ${String(socket.authorizationError)}`);
        socket.destroy();
      }
    } finally {
      server.close();
    }
  });

  it('runs meshguard serve with one MESHGUARD_* env var per setting, restricted security and probes', () => {
    const deployment = one(objects, 'Deployment');
    const spec = podSpec(deployment);
    assert.equal((deployment.spec as { replicas: number }).replicas, 2);
    assert.deepEqual((deployment.spec as { template: { metadata: unknown } }).template.metadata, {
      labels: { ...selectorLabels('meshguard'), 'sidecar.istio.io/inject': 'false' },
      annotations: { 'sidecar.istio.io/inject': 'false' },
    });
    assert.deepEqual(spec.securityContext, POD_SECURITY);
    assert.equal(spec.serviceAccountName, 'meshguard');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.containers.length, 1);
    const container = spec.containers[0] as PodSpec['containers'][number];
    // The whole container: in particular no lifecycle.preStop, since meshguard drains itself on SIGTERM.
    assert.deepEqual(container, {
      name: 'meshguard',
      image: 'meshguard/meshguard:0.1.0',
      imagePullPolicy: 'IfNotPresent',
      args: ['serve'],
      env: DEFAULT_ENV,
      ports: [
        { name: 'https', containerPort: 8443, protocol: 'TCP' },
        { name: 'http-probes', containerPort: 8080, protocol: 'TCP' },
      ],
      livenessProbe: { httpGet: { path: '/livez', port: 'http-probes', scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
      readinessProbe: { httpGet: { path: '/readyz', port: 'http-probes', scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
      resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '512Mi' } },
      securityContext: CONTAINER_SECURITY,
      volumeMounts: [
        { name: 'tls', mountPath: '/etc/meshguard/tls', readOnly: true },
        { name: 'org-config', mountPath: '/etc/meshguard/org-config', readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    });
    assert.deepEqual(spec.volumes, [
      { name: 'tls', secret: { secretName: 'meshguard-tls' } },
      { name: 'org-config', configMap: { name: 'meshguard-org-config' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ]);
  });

  it('spreads the pods over nodes and zones and keeps one up with a PodDisruptionBudget', () => {
    const spec = podSpec(one(objects, 'Deployment'));
    const spread = (topologyKey: string): unknown => ({
      maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels('meshguard') }, matchLabelKeys: ['pod-template-hash'],
    });
    assert.deepEqual(spec.topologySpreadConstraints, [spread('kubernetes.io/hostname'), spread('topology.kubernetes.io/zone')]);
    assert.deepEqual(spec.affinity, {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels('meshguard') } } },
        ],
      },
    });
    assert.deepEqual(one(objects, 'PodDisruptionBudget').spec, { minAvailable: 1, selector: { matchLabels: selectorLabels('meshguard') } });
  });

  it('exposes the HTTPS port on 443 and the metrics on the probe port', () => {
    assert.deepEqual(one(objects, 'Service').spec, {
      type: 'ClusterIP',
      selector: selectorLabels('meshguard'),
      ports: [
        { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP', appProtocol: 'https' },
        { name: 'http-metrics', port: 8080, targetPort: 'http-probes', protocol: 'TCP' },
      ],
    });
  });

  it('renders an empty org config, which meshguard merges over its built-in defaults', () => {
    const cm = one(objects, 'ConfigMap', 'meshguard-org-config');
    assert.deepEqual(parseYaml((cm.data as Record<string, string>)['org-config.yaml'] ?? ''), {});
  });
});

describe('chart: every setting in src/config.ts is a Helm value and an env var', { timeout: 40 * 60_000 }, () => {
  const values = parseYaml(readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as { config: Record<string, unknown> };
  const schema = JSON.parse(readFileSync(path.join(CHART, 'values.schema.json'), 'utf8')) as {
    properties: Record<string, { properties?: Record<string, Record<string, unknown>>; items?: { properties: { name: { not: { enum: string[] } } } } }>;
  };
  /** Settings the chart sets from mounted files rather than from config.*. */
  const FROM_FILES = ['tlsCertFile', 'tlsKeyFile', 'policyBundle', 'orgConfig'];

  it('config.* holds exactly the settings that are not mounted files', () => {
    assert.deepEqual(Object.keys(values.config).sort(), SETTINGS.map((s) => s.key).filter((k) => !FROM_FILES.includes(k)).sort());
  });

  it('config.* defaults are meshguard\'s, except kube (on in a cluster), webhookName (the release name) and evaluationWorkers (2: Node counts the node\'s CPUs, not the pod\'s)', () => {
    for (const s of SETTINGS) {
      if (FROM_FILES.includes(s.key)) continue;
      // exemptionNamespace: empty means the release namespace, passed through the downward API.
      const expected = s.key === 'kube' ? 'on' : ['webhookName', 'kubeconfig', 'exemptionNamespace', 'snapshot', 'snapshotOutput'].includes(s.key) ? '' : s.key === 'evaluationWorkers' ? 2 : s.default;
      assert.deepEqual(values.config[s.key], expected, s.key);
    }
  });

  it('the schema has the same ranges and choices as src/config.ts', () => {
    const props = schema.properties.config?.properties ?? {};
    for (const s of SETTINGS) {
      if (FROM_FILES.includes(s.key)) continue;
      const p = props[s.key] ?? {};
      // A containerPort cannot be 0 (meshguard's "pick a free port"): the one place where the chart is narrower.
      const min = s.key === 'port' || s.key === 'probePort' ? Math.max(1, s.min ?? 1) : s.min;
      const choices = s.values;
      if (s.kind === 'int') assert.deepEqual([p.type, p.minimum, p.maximum], ['integer', min, s.max], s.key);
      else if (s.kind === 'enum') assert.deepEqual([p.type, p.enum], ['string', choices], s.key);
      else if (s.kind === 'namespace' || s.kind === 'namespaces') assert.deepEqual([p.type, typeof p.pattern], ['string', 'string'], s.key);
      else assert.equal(p.type, 'string', s.key);
    }
    assert.deepEqual(schema.properties.extraEnv?.items?.properties.name.not.enum, SETTINGS.map((s) => envName(s.key)), 'extraEnv cannot shadow a setting');
  });

  it('the Deployment sets MESHGUARD_<SETTING> for every setting when every value is given', async () => {
    const objects = await render({
      values: {
        config: { kubeconfig: '/etc/kube/config', webhookName: 'meshguard', logLevel: 'debug', auditInterval: 300, snapshot: '/etc/snapshot/snapshot.gz', snapshotOutput: 'configmap:meshguard-system/meshguard-snapshot', snapshotInterval: 60 },
        policyBundle: { configMap: 'team-policies', key: 'rules.tar.gz' },
        orgConfig: { rules: { 'vs-wildcard-host': { enforcement: 'warn' } } },
      },
    });
    const spec = podSpec(one(objects, 'Deployment'));
    const env = new Map((spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.deepEqual([...env.keys()].sort(), SETTINGS.map((s) => envName(s.key)).sort());
    assert.equal(env.get('MESHGUARD_POLICY_BUNDLE'), '/etc/meshguard/policy/rules.tar.gz');
    assert.equal(env.get('MESHGUARD_KUBECONFIG'), '/etc/kube/config');
    assert.equal(env.get('MESHGUARD_LOG_LEVEL'), 'debug');
    assert.equal(env.get('MESHGUARD_AUDIT_INTERVAL'), '300');
    assert.deepEqual(['MESHGUARD_SNAPSHOT', 'MESHGUARD_SNAPSHOT_OUTPUT', 'MESHGUARD_SNAPSHOT_INTERVAL'].map((n) => env.get(n)), ['/etc/snapshot/snapshot.gz', 'configmap:meshguard-system/meshguard-snapshot', '60']);
    assert.deepEqual((spec.volumes as Array<{ name: string }>).find((v) => v.name === 'policy-bundle'), {
      name: 'policy-bundle', configMap: { name: 'team-policies', items: [{ key: 'rules.tar.gz', path: 'rules.tar.gz' }] },
    });
    const cm = one(objects, 'ConfigMap', 'meshguard-org-config');
    assert.deepEqual(parseYaml((cm.data as Record<string, string>)['org-config.yaml'] ?? ''), { rules: { 'vs-wildcard-host': { enforcement: 'warn' } } });
  });
});

describe('chart: values.yaml documents itself (house rule 12)', () => {
  interface SchemaNode { properties?: Record<string, SchemaNode>; additionalProperties?: unknown }
  const doc = parseDocument(readFileSync(path.join(CHART, 'values.yaml'), 'utf8'));
  const schema = JSON.parse(readFileSync(path.join(CHART, 'values.schema.json'), 'utf8')) as SchemaNode;

  /** Walks values.yaml beside the schema: every key the schema defines is commented, and the two list the same keys. */
  function walk(map: YAMLMap, node: SchemaNode, prefix: string, out: { uncommented: string[]; keys: string[] }): void {
    map.items.forEach((pair, i) => {
      const name = String((pair.key as { value: unknown }).value);
      const key = `${prefix}${name}`;
      out.keys.push(key);
      const sub = node.properties?.[name];
      const commented = Boolean((pair.key as { commentBefore?: string }).commentBefore) || (i === 0 && Boolean(map.commentBefore));
      if (sub?.properties && isMap(pair.value) && pair.value.items.length > 0) walk(pair.value, sub, `${key}.`, out);
      else if (!commented) out.uncommented.push(key);
    });
  }

  /** Schema keys, descending where values.yaml gives a non-empty mapping (an empty {} such as certManager.issuerRef is one value). */
  function schemaKeys(node: SchemaNode, prefix: string, value: unknown): string[] {
    return Object.entries(node.properties ?? {}).flatMap(([name, sub]) => {
      const v = (value as Record<string, unknown> | undefined)?.[name];
      const nested = sub.properties && v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0;
      return [`${prefix}${name}`, ...(nested ? schemaKeys(sub, `${prefix}${name}.`, v) : [])];
    });
  }

  it('comments every value and defines exactly the schema\'s keys', () => {
    const out = { uncommented: [] as string[], keys: [] as string[] };
    assert.ok(isMap(doc.contents));
    walk(doc.contents, schema, '', out);
    assert.deepEqual(out.uncommented, []);
    assert.deepEqual(out.keys.sort(), schemaKeys(schema, '', doc.toJS()).filter((k) => k !== 'global').sort());
  });

  it('the schema is strict: additionalProperties false wherever it lists properties', () => {
    const loose = (node: SchemaNode, at: string): string[] => [
      ...(node.properties && node.additionalProperties !== false ? [at || '(root)'] : []),
      ...Object.entries(node.properties ?? {}).flatMap(([name, sub]) => loose(sub, `${at}/${name}`)),
    ];
    assert.deepEqual(loose(schema, ''), []);
  });
});

describe('chart: least privilege and no author-controlled bypass', { timeout: 40 * 60_000 }, () => {
  interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }
  const rulesOf = (o: K8sObject): Rule[] => (o as unknown as { rules: Rule[] }).rules;
  const grants = (o: K8sObject, resource: string): Rule[] => rulesOf(o).filter((r) => r.resources.includes(resource));
  const roles = (objects: K8sObject[]): string[] => objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding').map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort();

  it('reads Secrets only in the gateway namespaces, with Roles, and Exemptions only in meshguard namespace', async () => {
    const objects = await render();
    assert.deepEqual(grants(one(objects, 'ClusterRole'), 'secrets'), [], 'no cluster-wide Secret access by default');
    assert.deepEqual(grants(one(objects, 'ClusterRole'), 'exemptions'), []);
    assert.deepEqual(roles(objects), [
      'Role/istio-system/meshguard-mesh-config', 'Role/istio-system/meshguard-secrets', 'Role/meshguard-system/meshguard-exemptions',
      'RoleBinding/istio-system/meshguard-mesh-config', 'RoleBinding/istio-system/meshguard-secrets', 'RoleBinding/meshguard-system/meshguard-exemptions',
    ]);
    assert.deepEqual(rulesOf(one(objects, 'Role', 'meshguard-secrets')), [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }]);
    assert.deepEqual(rulesOf(one(objects, 'Role', 'meshguard-exemptions')), [{ apiGroups: ['policy.meshguard.io'], resources: ['exemptions'], verbs: ['get', 'list', 'watch'] }]);
    const subjects = (one(objects, 'RoleBinding', 'meshguard-secrets') as unknown as { subjects: unknown }).subjects;
    assert.deepEqual(subjects, [{ kind: 'ServiceAccount', name: 'meshguard', namespace: 'meshguard-system' }]);
  });

  it("reads Istio's mesh config ConfigMaps only in the Istio root namespace, read-only", async () => {
    const objects = await render({ values: { config: { istioRootNamespace: 'istio-config' } } });
    assert.deepEqual(grants(one(objects, 'ClusterRole'), 'configmaps'), [], 'no cluster-wide ConfigMap access');
    assert.deepEqual(roles(objects).filter((r) => r.includes('mesh-config')), ['Role/istio-config/meshguard-mesh-config', 'RoleBinding/istio-config/meshguard-mesh-config']);
    assert.deepEqual(rulesOf(one(objects, 'Role', 'meshguard-mesh-config')), [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'] }]);
    const env = podSpec(one(objects, 'Deployment')).containers[0]?.env ?? [];
    assert.deepEqual(env.find((e) => e.name === 'MESHGUARD_ISTIO_ROOT_NAMESPACE'), { name: 'MESHGUARD_ISTIO_ROOT_NAMESPACE', value: 'istio-config' });
  });

  it('reads Istio Gateways and the Gateway API kinds (gateway.networking.k8s.io) cluster-wide, read-only', async () => {
    const objects = await render();
    const gatewayApi = ['gateways', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes', 'referencegrants', 'gatewayclasses', 'listenersets'];
    assert.deepEqual(grants(one(objects, 'ClusterRole'), 'gateways'), [
      { apiGroups: ['networking.istio.io'], resources: ['virtualservices', 'destinationrules', 'gateways', 'serviceentries', 'sidecars', 'envoyfilters'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: gatewayApi, verbs: ['list', 'watch'] },
    ]);
  });

  it('grants a Role per listed namespace, and cluster-wide Secrets only when asked with "*"', async () => {
    const listed = await render({ values: { config: { secretNamespaces: 'istio-ingress, edge' } } });
    assert.deepEqual(roles(listed).filter((r) => r.includes('secrets')), [
      'Role/edge/meshguard-secrets', 'Role/istio-ingress/meshguard-secrets', 'RoleBinding/edge/meshguard-secrets', 'RoleBinding/istio-ingress/meshguard-secrets',
    ]);
    const env = podSpec(one(listed, 'Deployment')).containers[0]?.env ?? [];
    assert.deepEqual(env.find((e) => e.name === 'MESHGUARD_SECRET_NAMESPACES'), { name: 'MESHGUARD_SECRET_NAMESPACES', value: 'istio-ingress,edge' });
    const everywhere = await render({ values: { config: { secretNamespaces: '*' } } });
    assert.deepEqual(grants(one(everywhere, 'ClusterRole'), 'secrets'), [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }]);
    assert.deepEqual(roles(everywhere).filter((r) => r.includes('secrets')), []);
  });

  it('binds the exemption writers given, in the exemption namespace given', async () => {
    const objects = await render({ values: { config: { exemptionNamespace: 'platform' }, rbac: { exemptionWriters: [{ kind: 'Group', name: 'platform-admins', apiGroup: 'rbac.authorization.k8s.io' }] } } });
    assert.deepEqual(roles(objects).filter((r) => r.includes('exemption')), [
      'Role/platform/meshguard-exemption-writers', 'Role/platform/meshguard-exemptions', 'RoleBinding/platform/meshguard-exemption-writers', 'RoleBinding/platform/meshguard-exemptions',
    ]);
    assert.deepEqual((one(objects, 'RoleBinding', 'meshguard-exemption-writers') as unknown as { subjects: unknown }).subjects, [
      { kind: 'Group', name: 'platform-admins', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
    const env = podSpec(one(objects, 'Deployment')).containers[0]?.env ?? [];
    assert.deepEqual(env.find((e) => e.name === 'MESHGUARD_EXEMPTION_NAMESPACE'), { name: 'MESHGUARD_EXEMPTION_NAMESPACE', value: 'platform' });
  });

  it('has no objectSelector an object author could use to skip a webhook', async () => {
    const objects = await render();
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      for (const w of (one(objects, kind) as unknown as { webhooks: Array<{ name: string; objectSelector?: unknown }> }).webhooks) {
        assert.equal(w.objectSelector, undefined, w.name);
      }
    }
  });

  it('rejects a bad secretNamespaces or exemptionNamespace value', async () => {
    for (const values of [{ config: { secretNamespaces: 'Bad_NS' } }, { config: { secretNamespaces: '' } }, { config: { exemptionNamespace: 'No' } }]) {
      const r = await template({ values });
      assert.notEqual(r.code, 0, JSON.stringify(values));
      assert.match(r.stderr, /values don't meet the specifications of the schema/);
    }
  });

  it('ships the Exemption CRD, identical to crds/meshguard', () => {
    const file = 'exemptions.policy.meshguard.io.yaml';
    assert.equal(readFileSync(path.join(CHART, 'crds', file), 'utf8'), readFileSync(path.join(CHART, '..', '..', 'crds', 'meshguard', file), 'utf8'));
  });
});
