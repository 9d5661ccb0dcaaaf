import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { readManifests, type ManifestObject } from '../../src/cli/manifests.js';
import { loadConfig } from '../../src/config.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { inventoryKind } from '../../src/inventory/kinds.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { INVENTORY_KINDS, RESOURCES, watchScopes } from '../../src/kube/resources.js';
import { selects, type LabelSelector } from '../../src/mesh/selector.js';
import type { OrgConfig } from '../../src/org-config.js';
import type { OpaWasmEngine } from '../../src/policy/engine.js';
import { denialMessage, formatFinding } from '../../src/policy/message.js';
import { checkObjects, type CheckResult } from '../../src/policy/offline.js';
import { schemaChecker } from '../../src/schema/istio-schema.js';
import { render, type K8sObject } from '../chart/helm.js';
import { builtinPack } from '../support/engine.js';
import { repoRoot } from '../support/paths.js';

const examplesDir = path.join(repoRoot, 'docs', 'examples');

/** What every example folder holds besides the file applied: the objects the cluster already has. */
const CLUSTER_FILE = 'cluster.yaml';

/**
 * The cluster view the webhook keeps: every inventory kind watched, Secrets only in the namespaces
 * of the setting secretNamespaces (the operator lists infra, where the examples' gateways live),
 * Exemptions and Istio's mesh config in their namespaces.
 */
const SETTINGS = loadConfig({ secretNamespaces: 'infra' }, {});

/** One README example: a folder named after the rule it shows, with the file applied and cluster.yaml. */
interface Example {
  rule: string;
  /** The file `kubectl apply -f` names, as the README shows it (relative to the folder). */
  file: string;
  target: ManifestObject;
  cluster: ManifestObject[];
}

async function examples(): Promise<Example[]> {
  const out: Example[] = [];
  for (const api of readdirSync(examplesDir).sort()) {
    for (const rule of readdirSync(path.join(examplesDir, api)).sort()) {
      const dir = path.join(examplesDir, api, rule);
      const files = readdirSync(dir).filter((f) => f !== CLUSTER_FILE).sort();
      assert.equal(files.length, 1, `${dir} holds one file to apply besides ${CLUSTER_FILE}: ${files.join(', ')}`);
      const file = files[0] as string;
      const applied = await readManifests([path.join(dir, file)]);
      assert.equal(applied.length, 1, `${dir}/${file} holds one object`);
      out.push({ rule, file, target: applied[0] as ManifestObject, cluster: await readManifests([path.join(dir, CLUSTER_FILE)]) });
    }
  }
  return out;
}

/** A validating webhook of the rendered chart, as far as choosing it for a CREATE goes. */
interface Webhook {
  name: string;
  namespaceSelector?: LabelSelector;
  rules: Array<{ apiGroups: string[]; resources: string[]; operations: string[]; scope?: string }>;
}

/**
 * The one webhook of the chart's default ValidatingWebhookConfiguration the API server sends the
 * CREATE of this object to: its rules match the object's group and resource, and its
 * namespaceSelector selects the object's Namespace (its labels plus kubernetes.io/metadata.name).
 */
function webhookFor(webhooks: readonly Webhook[], object: KubeObject, cluster: readonly KubeObject[]): string {
  const spec = RESOURCES[inventoryKind(object) ?? ''];
  assert.ok(spec, `no resource for ${object.kind}`);
  const namespace = object.metadata?.namespace ?? '';
  const ns = cluster.find((o) => o.kind === 'Namespace' && o.metadata?.name === namespace);
  const labels = { ...ns?.metadata?.labels, 'kubernetes.io/metadata.name': namespace };
  const matching = webhooks.filter((w) => selects(w.namespaceSelector ?? {}, labels) && w.rules.some((r) => r.operations.includes('CREATE')
    && (r.apiGroups.includes(spec.group) || r.apiGroups.includes('*')) && r.resources.includes(spec.plural)
    && (r.scope ?? '*') === (spec.namespaced ? 'Namespaced' : 'Cluster')));
  assert.equal(matching.length, 1, `one webhook takes ${object.kind} ${namespace}: ${matching.map((w) => w.name).join(', ')}`);
  return (matching[0] as Webhook).name;
}

/** Evaluates the applied object with the cluster's objects as the webhook's inventory (CREATE). */
function evaluate(engine: OpaWasmEngine, org: OrgConfig, example: Example): CheckResult {
  const scoped = new Inventory();
  for (const [kind, namespaces] of Object.entries(watchScopes(SETTINGS))) scoped.scopeKind(kind, namespaces);
  const [result] = checkObjects(engine, org, [example.target, ...example.cluster], {
    namespace: 'default', knownKinds: [...INVENTORY_KINDS], inventory: scoped, exemptionNamespace: SETTINGS.exemptionNamespace,
  });
  assert.ok(result, `${example.rule}: a result`);
  assert.equal(result.error, undefined, `${example.rule}: ${result.error}`);
  return result;
}

/**
 * What kubectl prints for `kubectl apply -f <file>` of a new object: for a denial, the API server's
 * Forbidden error naming the webhook and carrying meshguard's status message; for warnings, one
 * `Warning:` line each, then the created line.
 */
function kubectlLines(example: Example, result: CheckResult, webhook: string): string[] {
  const live = result.violations.filter((v) => !v.exempt);
  const denials = live.filter((v) => v.enforcement === 'deny');
  if (denials.length > 0) {
    const message = denialMessage(denials, { kind: result.kind, namespace: result.namespace, name: result.name });
    const [first, ...rest] = message.split('\n');
    return [`Error from server (Forbidden): error when creating "${example.file}": admission webhook "${webhook}" denied the request: ${first}`, ...rest];
  }
  const group = result.apiVersion.includes('/') ? `.${result.apiVersion.split('/')[0]}` : '';
  return [...live.filter((v) => v.enforcement === 'warn').map((v) => `Warning: ${formatFinding(v)}`), `${result.kind.toLowerCase()}${group}/${result.name} created`];
}

/** True when the README shows `$ kubectl apply -f <file>` (and a comment) followed at once by exactly these lines. */
function shows(readme: readonly string[], file: string, lines: readonly string[]): boolean {
  const command = `$ kubectl apply -f ${file}`;
  return readme.some((line, i) => (line === command || line.startsWith(`${command} `))
    && lines.every((expected, j) => readme[i + 1 + j] === expected));
}

/**
 * The README's kubectl examples of the Gateway API and ambient rules are real: each folder of
 * docs/examples/<api>/<rule-id>/ holds the file applied and the objects the cluster already has
 * (cluster.yaml); the applied object, judged through the built-in bundle with the default org
 * config as the webhook judges a CREATE, yields exactly one finding, of that rule, and the README
 * shows what kubectl prints for it, the message made by the real formatter.
 */
describe('the README kubectl examples (docs/examples)', () => {
  let engine: OpaWasmEngine;
  let org: OrgConfig;
  let all: Example[];
  let webhooks: Webhook[];
  let readme: string[];
  before(async () => {
    ({ engine, org } = await builtinPack());
    all = await examples();
    const rendered = await render({ args: ['--show-only', 'templates/validatingwebhookconfiguration.yaml'] });
    webhooks = rendered.flatMap((o: K8sObject) => (o.webhooks as Webhook[] | undefined) ?? []);
    readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8').split('\n');
  });

  it('there is an example for every README line of the Gateway API and ambient blocks', () => {
    assert.deepEqual(all.map((e) => e.rule), [
      'amb-ap-l7-ztunnel', 'amb-ap-unenforced', 'amb-target-refs', 'amb-use-waypoint',
      'k8sgw-certificate-ref', 'k8sgw-class-served', 'k8sgw-listener-conflict', 'k8sgw-listenerset-attach',
      'route-backend-exists', 'route-backend-grant', 'route-parent-attach',
    ]);
  });

  it('every object of the examples is valid against the shipped Istio and Gateway API CRD schemas', () => {
    const check = schemaChecker();
    const problems = all.flatMap((e) => [e.target, ...e.cluster]).flatMap((m) => check(m.object).map((v) => `${m.file}:${m.line}: ${v.message}`));
    assert.deepEqual(problems, []);
  });

  it('each example finds exactly its rule, and the README shows what kubectl prints', () => {
    const missing: string[] = [];
    for (const example of all) {
      const result = evaluate(engine, org, example);
      assert.deepEqual(result.violations.map((v) => v.id), [example.rule], `${example.rule}: the findings of ${example.file}`);
      assert.equal(result.allowed, engine.catalog[example.rule]?.enforcement !== 'deny', `${example.rule}: the decision`);
      const lines = kubectlLines(example, result, webhookFor(webhooks, example.target.object, example.cluster.map((m) => m.object)));
      if (!shows(readme, example.file, lines)) missing.push(`# ${example.rule}\n${lines.join('\n')}`);
    }
    assert.deepEqual(missing, [], `README.md lacks these lines after \`$ kubectl apply -f <file>\`:\n${missing.join('\n\n')}`);
  });
});
