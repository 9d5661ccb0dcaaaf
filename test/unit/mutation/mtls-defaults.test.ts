import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import type { MutationEnv } from '../../../src/mutation/index.js';
import { cluster, config, request, run } from './helpers.js';

const serviceEntries: KubeObject[] = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'legacy', namespace: 'plain' },
    spec: { hosts: ['legacy.prod.svc.cluster.local'], location: 'MESH_INTERNAL', resolution: 'DNS' },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'vms', namespace: 'mesh' },
    spec: { hosts: ['*.vm.svc.cluster.local'], resolution: 'STATIC' },
  },
];
const env: MutationEnv = { config: config(), inventory: cluster(serviceEntries) };
const MARK = { 'meshguard.io/mutations': 'mtls-defaults' };

function pa(spec?: Record<string, unknown>): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'mesh' }, ...(spec ? { spec } : {}) };
}

function dr(spec: Record<string, unknown>, namespace = 'mesh'): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'rule', namespace }, spec };
}

function expectTlsAdded(obj: KubeObject, envIn: MutationEnv = env): void {
  const outcome = run(request(obj), envIn);
  const spec = obj.spec as Record<string, unknown>;
  const trafficPolicy = { ...(spec.trafficPolicy as Record<string, unknown> | undefined), tls: { mode: 'ISTIO_MUTUAL' } };
  assert.deepEqual(outcome.mutated, { ...obj, metadata: { ...obj.metadata, annotations: MARK }, spec: { ...spec, trafficPolicy } });
  assert.deepEqual(outcome.applied, ['mtls-defaults']);
}

function expectLeft(obj: KubeObject, notes: string[], envIn: MutationEnv = env): void {
  const outcome = run(request(obj), envIn);
  assert.deepEqual(outcome.patch, []);
  assert.equal(outcome.mutated, obj);
  assert.deepEqual(outcome.notes, notes);
}

describe('mtls-defaults: PeerAuthentication', () => {
  it('adds spec.mtls.mode STRICT when there is no spec', () => {
    const outcome = run(request(pa()), env);
    assert.deepEqual(outcome.mutated, { ...pa(), metadata: { name: 'default', namespace: 'mesh', annotations: MARK }, spec: { mtls: { mode: 'STRICT' } } });
    assert.deepEqual(outcome.notes, ['mtls-defaults: PeerAuthentication default: spec.mtls.mode set to STRICT']);
  });

  it('creates spec.mtls next to other settings', () => {
    const spec = { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } };
    const outcome = run(request(pa(spec)), env);
    assert.deepEqual(outcome.mutated.spec, { ...spec, mtls: { mode: 'STRICT' } });
  });

  it('fills an empty spec.mtls', () => {
    const outcome = run(request(pa({ mtls: {} })), env);
    assert.deepEqual(outcome.mutated.spec, { mtls: { mode: 'STRICT' } });
  });

  for (const mode of ['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET']) {
    it(`never changes an explicit mode ${mode}`, () => {
      expectLeft(pa({ mtls: { mode } }), []);
    });
  }

  it('is off when mtls.enabled is false', () => {
    expectLeft(pa(), [], { config: config({ mtls: { enabled: false } }), inventory: cluster() });
  });
});

describe('mtls-defaults: DestinationRule to in-mesh services', () => {
  it('a short name resolves to the object namespace', () => {
    expectTlsAdded(dr({ host: 'reviews' }));
  });

  it('a name with a dot is taken as written, as Istio resolves hosts (reviews.prod is not reviews.prod.svc.<domain>)', () => {
    expectLeft(dr({ host: 'reviews.prod' }, 'plain'), ['mtls-defaults: host reviews.prod is not a cluster-local service; left unchanged']);
    expectLeft(dr({ host: 'reviews.prod.svc' }, 'plain'), ['mtls-defaults: host reviews.prod.svc is not a cluster-local service; left unchanged']);
    expectTlsAdded(dr({ host: 'reviews.prod.svc.cluster.local' }, 'plain'));
  });

  it('a cluster-local FQDN, keeping the other traffic policy settings and subsets', () => {
    expectTlsAdded(dr({
      host: 'reviews.prod.svc.cluster.local',
      trafficPolicy: { loadBalancer: { simple: 'LEAST_CONN' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    }));
  });

  it('revision-labelled and ambient namespaces are in the mesh', () => {
    expectTlsAdded(dr({ host: 'ratings.rev.svc.cluster.local' }));
    expectTlsAdded(dr({ host: 'ratings.ambient.svc.cluster.local' }));
  });

  it('honours a custom cluster domain', () => {
    const custom: MutationEnv = { config: config({ mesh: { clusterDomain: 'corp.internal' } }), inventory: cluster() };
    expectTlsAdded(dr({ host: 'reviews.prod.svc.corp.internal' }), custom);
    expectLeft(dr({ host: 'reviews.prod.svc.cluster.local' }), ['mtls-defaults: host reviews.prod.svc.cluster.local is not a cluster-local service; left unchanged'], custom);
  });
});

describe('mtls-defaults: DestinationRules left alone', () => {
  it('any TLS setting anywhere', () => {
    expectLeft(dr({ host: 'reviews', trafficPolicy: { tls: { mode: 'DISABLE' } } }), []);
    expectLeft(dr({ host: 'reviews', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] } }), []);
    expectLeft(dr({ host: 'reviews', subsets: [{ name: 'v1', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }] }), []);
    expectLeft(dr({ host: 'reviews', subsets: [{ name: 'v1', trafficPolicy: { portLevelSettings: [{ tls: { mode: 'MUTUAL' } }] } }] }), []);
  });

  it('external hosts', () => {
    expectLeft(dr({ host: 'api.example.com' }), ['mtls-defaults: host api.example.com is not a cluster-local service; left unchanged']);
    expectLeft(dr({ host: '10.0.0.1' }), ['mtls-defaults: host 10.0.0.1 is not a cluster-local service; left unchanged']);
  });

  it('ServiceEntry hosts, including wildcard ServiceEntry hosts', () => {
    expectLeft(dr({ host: 'legacy.prod.svc.cluster.local' }), ['mtls-defaults: host legacy.prod.svc.cluster.local is declared by ServiceEntry plain/legacy; left unchanged']);
    expectLeft(dr({ host: 'db.vm.svc.cluster.local' }), ['mtls-defaults: host db.vm.svc.cluster.local is declared by ServiceEntry mesh/vms; left unchanged']);
  });

  it('hosts in namespaces outside the mesh', () => {
    expectLeft(dr({ host: 'reviews.plain.svc.cluster.local' }), ['mtls-defaults: host reviews.plain.svc.cluster.local is in namespace plain, which is not in the mesh; left unchanged']);
    expectLeft(dr({ host: 'reviews.off.svc.cluster.local' }), ['mtls-defaults: host reviews.off.svc.cluster.local is in namespace off, which is not in the mesh; left unchanged']);
  });

  it('wildcard hosts', () => {
    expectLeft(dr({ host: '*.prod.svc.cluster.local' }), ['mtls-defaults: host *.prod.svc.cluster.local is a wildcard; left unchanged']);
    expectLeft(dr({ host: '*' }), ['mtls-defaults: host * is a wildcard; left unchanged']);
  });

  it('unknown namespace membership, with a note saying why', () => {
    expectLeft(dr({ host: 'reviews.prod.svc.cluster.local' }), ['mtls-defaults: namespace membership of host reviews.prod.svc.cluster.local unknown; left unchanged'], { config: config() });
    expectLeft(dr({ host: 'reviews.ghost.svc.cluster.local' }), ['mtls-defaults: namespace membership of host reviews.ghost.svc.cluster.local unknown; left unchanged']);
  });

  it('no host', () => {
    expectLeft(dr({ trafficPolicy: {} }), ['mtls-defaults: spec.host is missing; left unchanged']);
  });
});
