import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import jsonpatch from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { mutate, mutateManifests, type MutationEnv } from '../../../src/mutation/index.js';
import { config, inventory, proxyAnnotations, sizingRecord } from './helpers.js';

// dist/test/unit/mutation/ -> /work/main/dist/test/unit/mutation; five levels up is /work.
const DATA = new URL('../../../../../shared/data/', import.meta.url);

function yamlFiles(dir: URL): string[] {
  const root = fileURLToPath(dir);
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = `${path}/${name}`;
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(full);
    }
  };
  walk(root.replace(/\/$/, ''));
  return out;
}

function load(files: string[]): Array<{ object: KubeObject; file: string }> {
  const out: Array<{ object: KubeObject; file: string }> = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object = doc.toJS() as KubeObject | null;
      if (object && typeof object === 'object') out.push({ object, file });
    }
  }
  return out;
}

function checkOutcomes(inputs: Array<{ object: KubeObject; file: string }>, env: MutationEnv): ReturnType<typeof mutateManifests> {
  const outcomes = mutateManifests(inputs, env, { namespace: 'default' });
  assert.equal(outcomes.length, inputs.length);
  outcomes.forEach((outcome, i) => {
    const original = inputs[i]?.object as KubeObject;
    const applied = jsonpatch.applyPatch(structuredClone(original), outcome.patch, true, false).newDocument;
    assert.deepEqual(applied, outcome.mutated, `${inputs[i]?.file}: patch reproduces the result`);
  });
  return outcomes;
}

const workloads = load([...yamlFiles(new URL('istio-samples/workloads/', DATA)), ...yamlFiles(new URL('seed-examples/', DATA))]);
const meshNamespaces = ['default', 'echo-grpc'].map((name) => ({
  file: 'test',
  object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled' } } } as KubeObject,
}));

describe('corpus: istio-samples workloads and seed examples through mutateManifests', () => {
  it('found the corpus', () => {
    assert.ok(workloads.length > 60, `loaded ${workloads.length} objects`);
  });

  it('mutates every object with the defaults, no namespace known', () => {
    checkOutcomes(workloads, { config: config() });
  });

  it('mutates every object with templates on in injection-enabled namespaces; a second run changes nothing', () => {
    const env: MutationEnv = { config: config({ sidecar: { templates: true } }) };
    const inputs = [...meshNamespaces, ...workloads];
    const outcomes = checkOutcomes(inputs, env);
    const inv = inventory({ default: { 'istio-injection': 'enabled' }, 'echo-grpc': { 'istio-injection': 'enabled' } });
    outcomes.forEach((outcome, i) => {
      const object = outcome.mutated;
      const namespace = object.metadata?.namespace ?? 'default';
      const again = mutate({ operation: 'CREATE', kind: object.kind ?? '', namespace, object, dryRun: true }, { ...env, inventory: inv });
      assert.deepEqual(again.patch, [], `${inputs[i]?.file}: idempotent`);
    });
    const sized = outcomes.filter((o) => o.applied.includes('sidecar-resources')).length;
    assert.ok(sized >= 20, `sized ${sized} workloads`);
  });

  it('completes the 6.1 seed Deployment: all four annotations, the two user values kept', () => {
    const env: MutationEnv = { config: config({ sidecar: { templates: true } }) };
    const index = workloads.findIndex((w) => w.file.endsWith('6.1-deployment-sidecar-annotations.yaml'));
    const input = workloads[index];
    assert.ok(input);
    const [outcome] = mutateManifests([input], env, { namespace: 'default' });
    const values = { cpu: '100m', cpuLimit: '250m', memory: '128Mi', memoryLimit: '256Mi' };
    const template = (outcome?.mutated.spec as { template: KubeObject }).template;
    assert.deepEqual(template.metadata?.annotations, {
      'sidecar.istio.io/inject': 'true',
      ...proxyAnnotations(values),
      'meshguard.io/sidecar-sizing': sizingRecord(
        { cpu: '500m', cpuLimit: '1', memory: '512Mi', memoryLimit: '1Gi' },
        values,
        { cpu: 'user', cpuLimit: 'ratio', memory: 'user', memoryLimit: 'ratio' },
      ),
      'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}',
    });
    assert.deepEqual(outcome?.applied, ['sidecar-resources', 'telemetry-defaults']);
    assert.ok(outcome?.notes.includes('sidecar-resources: Deployment spec.template: namespace default unknown; the pod opts in itself'));
  });

  it('mutates the whole istio-samples corpus without error', () => {
    const all = load(yamlFiles(new URL('istio-samples/', DATA)));
    assert.ok(all.length >= 300, `loaded ${all.length} objects`);
    checkOutcomes(all, { config: config({ sidecar: { templates: true } }) });
  });
});
