import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadOrgConfig } from '../../../src/org-config.js';
import { MeshguardError } from '../../../src/errors.js';
import { defaultMutationConfig, parseMutationConfig } from '../../../src/mutation/index.js';

// dist/test/unit/mutation/ -> repository root is four levels up.
const ORG_CONFIG = new URL('../../../../config/org-config.yaml', import.meta.url);

function rejects(raw: unknown, path: string, detail?: RegExp): void {
  assert.throws(
    () => parseMutationConfig(raw),
    (err: unknown) => {
      assert.ok(err instanceof MeshguardError);
      assert.equal(err.code, 'MG_ERR_ORG_CONFIG_INVALID');
      assert.ok(err.message.startsWith(`org config ${path}:`), err.message);
      if (detail) assert.match(err.message, detail);
      return true;
    },
  );
}

describe('parseMutationConfig', () => {
  it('gives the defaults for an absent section, frozen', () => {
    assert.deepEqual(parseMutationConfig(undefined), defaultMutationConfig());
    assert.deepEqual(parseMutationConfig(null), defaultMutationConfig());
    assert.deepEqual(parseMutationConfig({}), defaultMutationConfig());
    const parsed = parseMutationConfig({});
    assert.ok(Object.isFrozen(parsed) && Object.isFrozen(parsed.sidecar.ratios) && Object.isFrozen(parsed.mesh.meshLabels));
  });

  it('the built-in defaults are the shipped config/org-config.yaml, unchanged by validation (mesh facts from its top-level mesh section)', async () => {
    const org = parse(readFileSync(ORG_CONFIG, 'utf8')) as { mutation?: unknown };
    assert.ok(org.mutation, 'org-config.yaml has a mutation section');
    assert.deepEqual((await loadOrgConfig()).mutation, defaultMutationConfig());
    const { mesh, ...rest } = JSON.parse(JSON.stringify(defaultMutationConfig())) as Record<string, unknown>;
    assert.deepEqual(org.mutation, rest);
    assert.ok(mesh);
  });

  it('deep-merges a partial section: objects key by key, lists replace', () => {
    const parsed = parseMutationConfig({
      sidecar: { ratios: { cpu: 0.2 }, ceilings: { cpu: 2 }, profiles: { tiny: { set: { cpu: '10m' } } } },
      mesh: { meshLabels: [{ key: 'mesh', value: 'yes' }] },
    });
    assert.deepEqual(parsed.sidecar.ratios, { ...defaultMutationConfig().sidecar.ratios, cpu: 0.2 });
    assert.deepEqual(parsed.sidecar.ceilings, { ...defaultMutationConfig().sidecar.ceilings, cpu: '2' });
    assert.deepEqual(Object.keys(parsed.sidecar.profiles), ['small', 'medium', 'large', 'tiny']);
    assert.deepEqual(parsed.mesh.meshLabels, [{ key: 'mesh', value: 'yes' }]);
    assert.deepEqual(parsed.mesh.clusterDomain, defaultMutationConfig().mesh.clusterDomain);
    assert.deepEqual(defaultMutationConfig().sidecar.ratios.cpu, 0.1, 'defaults untouched');
  });

  it('normalises the cluster domain and accepts a custom profile as default', () => {
    const parsed = parseMutationConfig({ mesh: { clusterDomain: 'corp.example.' }, sidecar: { defaultProfile: 'small' } });
    assert.equal(parsed.mesh.clusterDomain, 'corp.example');
    assert.equal(parsed.sidecar.defaultProfile, 'small');
  });

  it('names the bad key path', () => {
    rejects('yes', 'mutation', /expected a mapping/);
    rejects({ bogus: 1 }, 'mutation.bogus', /unknown setting/);
    rejects({ maxPasses: 1 }, 'mutation.maxPasses', /integer from 2 to 10/);
    rejects({ maxPasses: 2.5 }, 'mutation.maxPasses');
    rejects({ warnings: 'off' }, 'mutation.warnings', /true or false/);
    rejects({ mesh: { clusterDomain: 'bad domain' } }, 'mutation.mesh.clusterDomain');
    rejects({ mesh: { injectionLabels: [] } }, 'mutation.mesh.injectionLabels');
    rejects({ mesh: { meshLabels: [{ value: 'x' }] } }, 'mutation.mesh.meshLabels[0].key');
    rejects({ mesh: { meshLabels: [{ key: 'a', valu: 'x' }] } }, 'mutation.mesh.meshLabels[0].valu');
    rejects({ sidecar: { enabled: 'yes' } }, 'mutation.sidecar.enabled', /true or false/);
    rejects({ sidecar: { templatez: true } }, 'mutation.sidecar.templatez', /unknown setting/);
    rejects({ sidecar: { ratios: { cpu: 'x' } } }, 'mutation.sidecar.ratios.cpu', /number from 0 to 100/);
    rejects({ sidecar: { ratios: { cpu: -0.1 } } }, 'mutation.sidecar.ratios.cpu');
    rejects({ sidecar: { ratios: { disk: 1 } } }, 'mutation.sidecar.ratios.disk');
    rejects({ sidecar: { limitFactors: { cpu: 0.5 } } }, 'mutation.sidecar.limitFactors.cpu');
    rejects({ sidecar: { base: { memory: '128MB' } } }, 'mutation.sidecar.base.memory', /invalid quantity "128MB"/);
    rejects({ sidecar: { floors: { cpu: '-1' } } }, 'mutation.sidecar.floors.cpu', /negative/);
    rejects({ sidecar: { floors: { cpu: '2' } } }, 'mutation.sidecar.floors.cpu', /above ceilings 1/);
    rejects({ sidecar: { profiles: { x: { set: { cpu: '1 core' } } } } }, 'mutation.sidecar.profiles.x.set.cpu');
    rejects({ sidecar: { profiles: { x: { min: { cpu: '2' }, max: { cpu: '1' } } } } }, 'mutation.sidecar.profiles.x.min.cpu');
    rejects({ sidecar: { profiles: { x: { fixed: {} } } } }, 'mutation.sidecar.profiles.x.fixed');
    rejects({ sidecar: { profiles: { x: 'big' } } }, 'mutation.sidecar.profiles.x', /mapping/);
    rejects({ sidecar: { defaultProfile: 'huge' } }, 'mutation.sidecar.defaultProfile', /no profile named "huge"/);
    rejects({ mtls: { enabled: 1 } }, 'mutation.mtls.enabled');
    rejects({ mtls: { mode: 'STRICT' } }, 'mutation.mtls.mode');
    rejects({ telemetry: { defaultSamplingPercentage: 101 } }, 'mutation.telemetry.defaultSamplingPercentage');
    rejects({ telemetry: { proxyConfigDefaults: ['x'] } }, 'mutation.telemetry.proxyConfigDefaults');
  });
});

describe('the mutation section is validated when the org config loads', () => {
  it('a bad key fails loadOrgConfig naming the file and the key, before any request', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-org-'));
    const file = path.join(dir, 'org.yaml');
    await writeFile(file, 'mutation:\n  sidecar:\n    ratios:\n      cpu: lots\n');
    await assert.rejects(loadOrgConfig(file), (err: Error) => {
      assert.equal(err.message, `org config ${file}: mutation.sidecar.ratios.cpu: expected a number from 0 to 100`);
      return true;
    });
    await writeFile(file, 'mesh:\n  injectionLabels: []\n');
    await assert.rejects(loadOrgConfig(file), { message: `org config ${file}: mesh.injectionLabels is no longer read: sidecar injection follows Istio's injector (namespace istio-injection=enabled or istio.io/rev, and the istio-sidecar-injector ConfigMap); remove it` });
    await writeFile(file, 'mutation:\n  sidecar:\n    ratio: {}\n');
    await assert.rejects(loadOrgConfig(file), /mutation\.sidecar\.ratio: unknown setting/);
  });
});
