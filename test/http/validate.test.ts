import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { orgConfigFile, post, testServer } from '../support/server.js';

const permissivePort: KubeObject = {
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'prod' },
  spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } },
};
const FIX = 'Fix: Set mtls.mode STRICT (or leave it UNSET) at the top level and in every portLevelMtls entry; a namespace that must accept plain text needs the param `allowedNamespaces` or an org-config exemption entry.';
const LOCKED = 'Exempt: not exemptible (locked by the org config; only its exemptions.entries apply).';
const UNLOCKED = 'Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days.';
const finding = (text: string, exempt: string) => `[pa-strict-mtls] ${text} ${FIX} ${exempt} See docs/rules.md#pa-strict-mtls`;
const PORT_8080 = 'PeerAuthentication prod/default sets mtls.mode PERMISSIVE on port 8080; only STRICT or UNSET is allowed (spec.portLevelMtls[8080].mode).';
const denial = finding(PORT_8080, LOCKED);

function withAnnotations(obj: KubeObject, annotations: Record<string, string>): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

describe('POST /validate with the built-in pack', () => {
  let server: MeshguardServer;
  before(async () => {
    server = await testServer();
  });
  after(() => server.close());

  it('denies a port-level PERMISSIVE override with 403 and the rule id in the message', async () => {
    const res = await post(server, '/validate', admissionReview(permissivePort, { uid: 'u-1', namespace: 'prod' })).expect(200);
    assert.deepEqual(res.body, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-1', allowed: false, status: { code: 403, reason: 'Forbidden', message: denial } },
    });
  });

  it('denies several findings under one header naming the object, one finding per line', async () => {
    const both = { ...permissivePort, spec: { mtls: { mode: 'DISABLE' }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } } };
    const res = await post(server, '/validate', admissionReview(both, { uid: 'u-4', namespace: 'prod' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'u-4', allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: [
          '1 meshguard rule denied PeerAuthentication prod/default:',
          finding('PeerAuthentication prod/default sets mtls.mode DISABLE; only STRICT or UNSET is allowed.', LOCKED),
          denial,
        ].join('\n'),
      },
    });
  });

  it('names the label that would allow fault injection, from the violation\'s own fix', async () => {
    const vs: KubeObject = {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'ratings', namespace: 'shop' },
      spec: { hosts: ['ratings'], http: [{ fault: { abort: { httpStatus: 503, percentage: { value: 10 } } }, route: [{ destination: { host: 'ratings' } }] }] },
    };
    const res = await post(server, '/validate', admissionReview(vs, { uid: 'u-8', namespace: 'shop' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'u-8', allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: '[vs-fault-injection] VirtualService shop/ratings injects faults (spec.http[0].fault) in namespace shop, which does not allow fault injection. '
          + 'Fix: Label namespace shop meshguard.io/allow-fault-injection: "true" or list it in the param faultInjectionNamespaces, or remove the fault. '
          + `${UNLOCKED} See docs/rules.md#vs-fault-injection`,
      },
    });
  });

  it('admits a new unlabelled Namespace with a warning (ns-mesh-enrolled warns by default)', async () => {
    const shop: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const res = await post(server, '/validate', admissionReview(shop, { uid: 'u-7' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'u-7', allowed: true,
      warnings: [
        '[ns-mesh-enrolled] Namespace shop is not enrolled in the mesh: label it with one of ["istio-injection=enabled","istio.io/rev=*","istio.io/dataplane-mode=ambient"] (metadata.labels). '
        + 'Fix: Label the namespace `istio-injection=enabled`, `istio.io/rev=<revision>` or `istio.io/dataplane-mode=ambient`, or add it to the param `exemptNamespaces` if it stays out of the mesh. '
        + `${UNLOCKED} See docs/rules.md#ns-mesh-enrolled`,
      ],
    });
  });

  it('admits a STRICT PeerAuthentication with a bare allowed answer', async () => {
    const strict = { ...permissivePort, spec: { mtls: { mode: 'STRICT' } } };
    const res = await post(server, '/validate', admissionReview(strict, { uid: 'u-2', namespace: 'prod' })).expect(200);
    assert.deepEqual(res.body, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u-2', allowed: true } });
  });

  it('ignores DELETE requests', async () => {
    const review = admissionReview(permissivePort, { uid: 'u-3', namespace: 'prod' });
    review.request!.operation = 'DELETE';
    review.request!.oldObject = review.request!.object;
    review.request!.object = null;
    const res = await post(server, '/validate', review).expect(200);
    assert.deepEqual(res.body.response, { uid: 'u-3', allowed: true });
  });

  it('honours an unchanged, expired annotation on UPDATE only until its expiry, and says it expired', async () => {
    const unlocked = await testServer({ orgConfig: await orgConfigFile('rules:\n  pa-strict-mtls:\n    locked: false\n') });
    try {
      const expired = withAnnotations(permissivePort, { 'meshguard.io/exempt': JSON.stringify({ rules: ['pa-strict-mtls'], owner: 'team-a@example.com', expires: '2020-01-31' }) });
      const review = admissionReview(expired, { uid: 'u-5', namespace: 'prod', operation: 'UPDATE' });
      review.request!.oldObject = expired;
      const res = await post(unlocked, '/validate', review).expect(200);
      assert.deepEqual(res.body.response, {
        uid: 'u-5', allowed: false,
        status: {
          code: 403, reason: 'Forbidden',
          message: finding(PORT_8080, `${UNLOCKED.slice(0, -1)}; meshguard.io/exempt ignored: the exemption owned by team-a@example.com expired on 2020-01-31.`),
        },
      });
    } finally {
      await unlocked.close();
    }
  });

  it('answers a dryRun request the same way and counts it as dry run', async () => {
    const res = await post(server, '/validate', admissionReview(permissivePort, { uid: 'u-6', namespace: 'prod', dryRun: true })).expect(200);
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.message, denial);
    const metrics = await server.services.metrics.registry.getSingleMetricAsString('meshguard_admission_requests_total');
    assert.match(metrics, /meshguard_admission_requests_total\{webhook="validate",kind="PeerAuthentication",operation="CREATE",outcome="denied",dry_run="true"\} 1/);
    assert.equal(metrics.split('\n')[0], '# HELP meshguard_admission_requests_total Admission requests by webhook, kind, operation, outcome (allowed, denied, warned, mutated, error) and dry run.');
    const violations = await server.services.metrics.registry.getSingleMetricAsString('meshguard_policy_violations_total');
    assert.deepEqual(violations.split('\n').filter((l) => l.includes('dry_run="true"')), [
      'meshguard_policy_violations_total{rule="pa-strict-mtls",enforcement="deny",exempt="false",dry_run="true"} 1',
    ], 'the earlier requests of this file were no dry runs');
  });
});

describe('enforcement from the org config and the namespace label', () => {
  it('turns a deny into a response warning when the org config says warn', async () => {
    const org = await orgConfigFile('rules:\n  pa-strict-mtls:\n    enforcement: warn\n');
    const server = await testServer({ orgConfig: org });
    try {
      const res = await post(server, '/validate', admissionReview(permissivePort, { uid: 'w-1', namespace: 'prod' })).expect(200);
      assert.deepEqual(res.body.response, { uid: 'w-1', allowed: true, warnings: [denial] });
      assert.equal(denial, '[pa-strict-mtls] PeerAuthentication prod/default sets mtls.mode PERMISSIVE on port 8080; only STRICT or UNSET is allowed (spec.portLevelMtls[8080].mode). '
        + 'Fix: Set mtls.mode STRICT (or leave it UNSET) at the top level and in every portLevelMtls entry; a namespace that must accept plain text needs the param `allowedNamespaces` or an org-config exemption entry. '
        + 'Exempt: not exemptible (locked by the org config; only its exemptions.entries apply). See docs/rules.md#pa-strict-mtls');
    } finally {
      await server.close();
    }
  });

  it('puts dryrun violations only in auditAnnotations', async () => {
    const org = await orgConfigFile('rules:\n  pa-strict-mtls:\n    enforcement: dryrun\n');
    const server = await testServer({ orgConfig: org });
    try {
      const res = await post(server, '/validate', admissionReview(permissivePort, { uid: 'd-1', namespace: 'prod' })).expect(200);
      assert.deepEqual(res.body.response, { uid: 'd-1', allowed: true, auditAnnotations: { 'dryrun-violations': denial } });
    } finally {
      await server.close();
    }
  });

  it('lets a namespace label relax deny to warn unless the rule is locked', async () => {
    const inventory = new Inventory();
    inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { 'meshguard.io/enforcement': 'warn' } } });
    const server = await testServer({ orgConfig: await orgConfigFile('rules:\n  pa-strict-mtls:\n    locked: false\n') }, { inventory });
    const org = await orgConfigFile('rules:\n  pa-strict-mtls:\n    locked: true\n');
    const locked = await testServer({ orgConfig: org }, { inventory });
    try {
      const res = await post(server, '/validate', admissionReview(permissivePort, { uid: 'n-1', namespace: 'prod' })).expect(200);
      assert.deepEqual(res.body.response, { uid: 'n-1', allowed: true, warnings: [finding(PORT_8080, UNLOCKED)] });
      const res2 = await post(locked, '/validate', admissionReview(permissivePort, { uid: 'n-2', namespace: 'prod' })).expect(200);
      assert.equal(res2.body.response.allowed, false);
    } finally {
      await server.close();
      await locked.close();
    }
  });

  it('exempts a whole namespace listed in the org config', async () => {
    const org = await orgConfigFile('exemptions:\n  entries:\n    - namespaces: [legacy]\n      rules: [pa-strict-mtls]\n');
    const server = await testServer({ orgConfig: org });
    try {
      const legacy = { ...permissivePort, metadata: { name: 'default', namespace: 'legacy' } };
      const res = await post(server, '/validate', admissionReview(legacy, { uid: 'x-1', namespace: 'legacy' })).expect(200);
      assert.deepEqual(res.body.response, {
        uid: 'x-1', allowed: true, auditAnnotations: { exempted: 'pa-strict-mtls', 'exempted-by': '[{"rule":"pa-strict-mtls","source":"org-config"}]' },
      });
      const metrics = await server.services.metrics.registry.getSingleMetricAsString('meshguard_exemptions_honoured_total');
      assert.match(metrics, /meshguard_exemptions_honoured_total\{rule="pa-strict-mtls",source="org-config"\} 1$/m);
    } finally {
      await server.close();
    }
  });
});
