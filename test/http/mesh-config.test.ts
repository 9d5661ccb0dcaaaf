import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';
import { findingLine } from '../support/messages.js';

const policy: KubeObject = {
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ext', namespace: 'prod' },
  spec: { action: 'CUSTOM', provider: { name: 'opa-authz' }, rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] },
};

const meshConfigMap = (providers: string[]): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh: `extensionProviders:\n${providers.map((p) => `  - name: ${p}\n    envoyExtAuthzGrpc: {service: ${p}.authz.svc.cluster.local, port: 9191}\n`).join('')}` },
});

// A rule reading a fact of Istio's mesh config (ap-custom-provider: extensionProviders) from the
// istio ConfigMap in the cluster view, through the real buildServer().
describe("Istio's mesh config from the cluster view through POST /validate", () => {
  let server: MeshguardServer;
  const inventory = new Inventory();
  before(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-mesh-'));
    const orgConfig = path.join(dir, 'org.yaml');
    await writeFile(orgConfig, 'rules:\n  ap-custom-provider:\n    params:\n      customProviders: [opa-authz]\n');
    inventory.declareKind('ConfigMap');
    server = await testServer({ orgConfig }, { inventory });
  });
  after(() => server.close());

  it('without a mesh config only the org allowlist counts', async () => {
    const res = await post(server, '/validate', admissionReview(policy, { uid: 'm-1', namespace: 'prod' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 'm-1', allowed: true });
  });

  it('denies a provider the istio ConfigMap does not define, and admits it once defined', async () => {
    inventory.upsert(meshConfigMap(['ext-authz-grpc']));
    server.services.policy.pushNow();
    const denied = await post(server, '/validate', admissionReview(policy, { uid: 'm-2', namespace: 'prod' })).expect(200);
    assert.deepEqual(denied.body.response, {
      uid: 'm-2', allowed: false,
      status: { code: 403, reason: 'Forbidden', message: findingLine('ap-custom-provider', 'AuthorizationPolicy prod/ext uses CUSTOM provider "opa-authz", which the mesh config does not define (extensionProviders ["ext-authz-grpc"]) (spec.provider.name).',
        'Name a provider listed in the param `customProviders` that is defined in meshConfig.extensionProviders, or ask the platform team to vet and add yours.') },
    });
    inventory.upsert(meshConfigMap(['ext-authz-grpc', 'opa-authz']));
    server.services.policy.pushNow();
    const admitted = await post(server, '/validate', admissionReview(policy, { uid: 'm-3', namespace: 'prod' })).expect(200);
    assert.deepEqual(admitted.body.response, { uid: 'm-3', allowed: true });
  });

  it('a mesh ConfigMap that cannot be read keeps the last good facts', async () => {
    inventory.upsert({ ...meshConfigMap([]), data: { mesh: 'extensionProviders: [' } });
    server.services.policy.pushNow();
    const res = await post(server, '/validate', admissionReview(policy, { uid: 'm-4', namespace: 'prod' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 'm-4', allowed: true });
  });
});
