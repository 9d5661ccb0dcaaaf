import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdmissionReview } from '../../src/admission/types.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';

// Exemption objects (policy.meshguard.io) through the real buildServer(): honoured from the
// cluster view in meshguard's namespace only, and validated when written. Clock pinned.
const now = (): Date => new Date('2026-06-15T12:00:00Z');
const DEV = { username: 'argocd', groups: ['system:serviceaccounts'] };

function exemption(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'policy.meshguard.io/v1alpha1', kind: 'Exemption', metadata: { name, namespace },
    spec: { owner: 'platform@example.com', reason: 'shared ingress during the migration', expires: '2026-07-31', ...spec },
  };
}

const edge: KubeObject = {
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'edge', namespace: 'prod', labels: { app: 'edge' } },
  spec: { hosts: ['*'], gateways: ['mesh'], http: [{ route: [{ destination: { host: 'web' } }] }] },
};
const WILDCARD = '[vs-wildcard-host] VirtualService prod/edge claims host "*" (spec.hosts[0]), which captures every host on mesh; name the hosts it serves. '
  + 'Fix: List the hosts the VirtualService serves (a domain wildcard such as "*.example.com" is fine), or set the param `allowWildcardHosts: true` on a dedicated gateway. '
  + 'Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. See docs/rules.md#vs-wildcard-host';
const permissive: KubeObject = {
  apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'prod' }, spec: { mtls: { mode: 'PERMISSIVE' } },
};

function by(object: KubeObject, uid: string): AdmissionReview {
  const review = admissionReview(object, { uid, namespace: object.metadata?.namespace ?? '' });
  review.request!.userInfo = DEV;
  return review;
}

describe('Exemption objects through POST /validate', () => {
  let server: MeshguardServer;
  const inventory = new Inventory();
  before(async () => {
    inventory.replaceKind('Exemption', [
      exemption('edge-wildcard', 'meshguard-system', { rules: ['vs-wildcard-host'], match: { namespaces: ['prod'], kinds: ['VirtualService'], selector: { matchLabels: { app: 'edge' } } } }),
      exemption('mtls', 'meshguard-system', { rules: ['pa-strict-mtls'], match: { namespaces: ['prod'] } }),
      exemption('elsewhere', 'prod', { rules: ['vs-wildcard-host'], match: { namespaces: ['prod'] } }),
    ]);
    server = await testServer({}, { inventory, now });
  });
  after(() => server.close());

  it('honours a matching Exemption of meshguard namespace for an object written by anyone', async () => {
    const res = await post(server, '/validate', by(edge, 'e-1')).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'e-1', allowed: true,
      auditAnnotations: {
        exempted: 'vs-wildcard-host',
        'exempted-by': '[{"rule":"vs-wildcard-host","source":"resource","owner":"platform@example.com","expires":"2026-07-31","name":"meshguard-system/edge-wildcard"}]',
      },
    });
    const metric = await server.services.metrics.registry.getSingleMetricAsString('meshguard_exemptions_honoured_total');
    assert.match(metric, /meshguard_exemptions_honoured_total\{rule="vs-wildcard-host",source="resource"\} 1$/m);
  });

  it('does not apply it to objects it does not match, nor honour Exemptions of other namespaces', async () => {
    const other = { ...edge, metadata: { name: 'edge', namespace: 'prod', labels: { app: 'other' } } };
    const res = await post(server, '/validate', by(other, 'e-2')).expect(200);
    assert.deepEqual(res.body.response, { uid: 'e-2', allowed: false, status: { code: 403, reason: 'Forbidden', message: WILDCARD } });
  });

  it('follows the cluster view: an Exemption added or removed counts from the next request', async () => {
    const other = { ...edge, metadata: { name: 'edge', namespace: 'prod', labels: { app: 'other' } } };
    inventory.upsert(exemption('other', 'meshguard-system', { rules: ['vs-wildcard-host'], match: { names: ['edge'], kinds: ['VirtualService'] } }));
    const res = await post(server, '/validate', by(other, 'e-4')).expect(200);
    assert.equal(res.body.response.allowed, true);
    assert.equal(res.body.response.auditAnnotations['exempted-by'], '[{"rule":"vs-wildcard-host","source":"resource","owner":"platform@example.com","expires":"2026-07-31","name":"meshguard-system/other"}]');
    inventory.remove('Exemption', 'meshguard-system', 'other');
    const again = await post(server, '/validate', by(other, 'e-5')).expect(200);
    assert.deepEqual(again.body.response, { uid: 'e-5', allowed: false, status: { code: 403, reason: 'Forbidden', message: WILDCARD } });
  });

  it('never exempts a locked rule, and says which Exemption was ignored', async () => {
    const res = await post(server, '/validate', by(permissive, 'e-3')).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'e-3', allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: '[pa-strict-mtls] PeerAuthentication prod/default sets mtls.mode PERMISSIVE; only STRICT or UNSET is allowed. '
          + 'Fix: Set mtls.mode STRICT (or leave it UNSET) at the top level and in every portLevelMtls entry; a namespace that must accept plain text needs the param `allowedNamespaces` or an org-config exemption entry. '
          + 'Exempt: not exemptible (locked by the org config; only its exemptions.entries apply); Exemption meshguard-system/mtls ignored: rule pa-strict-mtls is locked. See docs/rules.md#pa-strict-mtls',
      },
    });
  });

  it('validates Exemption objects when they are written', async () => {
    const good = exemption('new', 'meshguard-system', { rules: ['vs-wildcard-host'], match: { kinds: ['VirtualService'] } });
    assert.deepEqual((await post(server, '/validate', by(good, 'w-1')).expect(200)).body.response, { uid: 'w-1', allowed: true });
    const refused = (uid: string, message: string, field: string) => ({
      uid, allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: `[meshguard-exemption-authorization] ${message} (${field}). Fix: Remove the exemption annotation or enforcement label, or have a granter write it naming known, unlocked rules with an expiry within the horizon. `
          + 'Exempt: never (this check guards exemptions). See docs/rules.md#meshguard-exemption-authorization',
      },
    });
    const misplaced = exemption('new', 'prod', { rules: ['vs-wildcard-host'], match: { kinds: ['VirtualService'] } });
    assert.deepEqual((await post(server, '/validate', by(misplaced, 'w-2')).expect(200)).body.response,
      refused('w-2', 'Exemption prod/new is refused: Exemptions are honoured only in namespace meshguard-system', 'metadata.namespace'));
    const bad = exemption('new', 'meshguard-system', { rules: ['pa-strict-mtls', 'no-such-rule'], expires: '2027-01-01', match: { kinds: ['PeerAuthentication'] } });
    assert.deepEqual((await post(server, '/validate', by(bad, 'w-3')).expect(200)).body.response,
      refused('w-3', 'Exemption meshguard-system/new is refused: unknown rule no-such-rule; rule pa-strict-mtls is locked and cannot be exempted; expires 2027-01-01 is beyond the 90-day horizon (at most 2026-09-13)', 'spec'));
  });
});
