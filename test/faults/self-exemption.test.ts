import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { AdmissionReview } from '../../src/admission/types.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { orgConfigFile, post, testServer } from '../support/server.js';
import { EXEMPT_LOCKED, FIX, findingLine } from '../support/messages.js';

// Abuse scenarios of issue 10: an object's author must not opt out of a rule by writing metadata.
// The clock is pinned so expiry and horizon are judged on a known day (horizon: 2026-09-13).
const now = (): Date => new Date('2026-06-15T12:00:00Z');
const ALICE = { username: 'alice', groups: ['dev', 'system:authenticated'] };
const ADMIN = { username: 'bob', groups: ['platform-admins', 'system:authenticated'] };
const UNLOCKED = 'exemptions:\n  granters:\n    groups: [platform-admins]\nrules:\n  pa-strict-mtls:\n    locked: false\n';
const LOCKED = 'exemptions:\n  granters:\n    groups: [platform-admins]\n';

const permissive: KubeObject = {
  apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'prod' },
  spec: { mtls: { mode: 'PERMISSIVE' } },
};
/** The Exempt sentence of pa-strict-mtls when unlocked, under these org configs (granters: platform-admins). */
const HOW = 'Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group platform-admins, for at most 90 days';
const paDenial = (exempt: string, namespace = 'prod') => findingLine('pa-strict-mtls',
  `PeerAuthentication ${namespace}/default sets mtls.mode PERMISSIVE; only STRICT or UNSET is allowed.`, FIX['pa-strict-mtls'], `${exempt}.`);
const authzDenial = (text: string, field: string) => `[meshguard-exemption-authorization] ${text} (${field}). `
  + 'Fix: Remove the exemption annotation or enforcement label, or have a granter write it naming known, unlocked rules with an expiry within the horizon. '
  + 'Exempt: never (this check guards exemptions). See docs/rules.md#meshguard-exemption-authorization';
const ANNOTATION_FIELD = 'metadata.annotations.meshguard.io/exempt';
const ANNOTATION_DENIAL = authzDenial('annotation meshguard.io/exempt on PeerAuthentication prod/default: user "alice" may not grant exemptions (org config exemptions.granters); remove the annotation, or ask the platform team for an Exemption (policy.meshguard.io) in namespace meshguard-system', ANNOTATION_FIELD);

function exempted(obj: KubeObject, expires: string, rules = ['pa-strict-mtls']): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { 'meshguard.io/exempt': JSON.stringify({ rules, owner: 'team-a@example.com', expires }) } } };
}

function by(user: typeof ALICE, object: KubeObject, uid: string, oldObject?: KubeObject): AdmissionReview {
  const review = admissionReview(object, { uid, namespace: object.metadata?.namespace ?? '', operation: oldObject ? 'UPDATE' : 'CREATE' });
  review.request!.userInfo = user;
  if (oldObject) review.request!.oldObject = oldObject;
  return review;
}

/** A 403 of the given finding lines; several under the header naming the object (two rules here). */
function forbidden(uid: string, lines: string[], subject = 'PeerAuthentication prod/default'): unknown {
  const message = lines.length === 1 ? lines[0] : [`${lines.length} meshguard rules denied ${subject}:`, ...lines].join('\n');
  return { uid, allowed: false, status: { code: 403, reason: 'Forbidden', message } };
}

describe('self-exemption through the validating webhook (real server, real Wasm bundle)', () => {
  let unlocked: MeshguardServer;
  let locked: MeshguardServer;
  const inventory = new Inventory();
  const logLines: Array<Record<string, unknown>> = [];
  before(async () => {
    const sink = new Writable({ write(chunk, _enc, done) { logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
    unlocked = await testServer({ orgConfig: await orgConfigFile(UNLOCKED), logLevel: 'info' }, { inventory, now, logger: pino({ level: 'info' }, sink) as FastifyBaseLogger });
    locked = await testServer({ orgConfig: await orgConfigFile(LOCKED) }, { inventory, now });
  });
  after(async () => {
    await unlocked.close();
    await locked.close();
  });

  it('denies the annotation written by an unprivileged user, naming it, and does not honour it', async () => {
    const res = await post(unlocked, '/validate', by(ALICE, exempted(permissive, '2026-07-01'), 'a-1')).expect(200);
    assert.deepEqual(res.body.response, forbidden('a-1', [ANNOTATION_DENIAL, paDenial(`${HOW}; meshguard.io/exempt ignored: written by a user who may not grant exemptions`)]));
  });

  it('admits the annotation written by a permitted group, with the exemption in auditAnnotations, the log line and the metric', async () => {
    const res = await post(unlocked, '/validate', by(ADMIN, exempted(permissive, '2026-07-01'), 'a-2')).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'a-2', allowed: true,
      auditAnnotations: { exempted: 'pa-strict-mtls', 'exempted-by': '[{"rule":"pa-strict-mtls","source":"annotation","owner":"team-a@example.com","expires":"2026-07-01"}]' },
    });
    const line = logLines.find((l) => l.uid === 'a-2');
    assert.deepEqual([line?.allowed, line?.exemptRuleIds, line?.exemptions], [true, ['pa-strict-mtls'], [{ rule: 'pa-strict-mtls', source: 'annotation' }]]);
    const metric = await unlocked.services.metrics.registry.getSingleMetricAsString('meshguard_exemptions_honoured_total');
    assert.match(metric, /meshguard_exemptions_honoured_total\{rule="pa-strict-mtls",source="annotation"\} 1$/m);
  });

  it('still denies a locked rule exempted by a granter, saying the rule is locked', async () => {
    const res = await post(locked, '/validate', by(ADMIN, exempted(permissive, '2026-07-01'), 'a-3')).expect(200);
    assert.deepEqual(res.body.response, forbidden('a-3', [
      authzDenial('annotation meshguard.io/exempt on PeerAuthentication prod/default is refused: rule pa-strict-mtls is locked and cannot be exempted', ANNOTATION_FIELD),
      paDenial(`${EXEMPT_LOCKED.slice(0, -1)}; meshguard.io/exempt ignored: rule pa-strict-mtls is locked`),
    ]));
  });

  it('refuses an expiry beyond the horizon, even from a granter', async () => {
    const res = await post(unlocked, '/validate', by(ADMIN, exempted(permissive, '9999-12-31'), 'a-4')).expect(200);
    assert.deepEqual(res.body.response, forbidden('a-4', [
      authzDenial('annotation meshguard.io/exempt on PeerAuthentication prod/default is refused: expires 9999-12-31 is beyond the 90-day horizon (at most 2026-09-13)', ANNOTATION_FIELD),
      paDenial(`${HOW}; meshguard.io/exempt ignored: expires 9999-12-31 is beyond the 90-day horizon (at most 2026-09-13)`),
    ]));
  });

  it('honours an unchanged annotation on UPDATE by an unprivileged user, and denies a changed one', async () => {
    const granted = exempted(permissive, '2026-07-01');
    const edited = { ...granted, spec: { mtls: { mode: 'PERMISSIVE' }, selector: { matchLabels: { app: 'legacy' } } } };
    const same = await post(unlocked, '/validate', by(ALICE, edited, 'a-5', granted)).expect(200);
    assert.deepEqual(same.body.response, {
      uid: 'a-5', allowed: true,
      auditAnnotations: { exempted: 'pa-strict-mtls', 'exempted-by': '[{"rule":"pa-strict-mtls","source":"annotation","owner":"team-a@example.com","expires":"2026-07-01"}]' },
    });
    const extended = exempted(permissive, '2026-09-01');
    const changed = await post(unlocked, '/validate', by(ALICE, extended, 'a-6', granted)).expect(200);
    assert.deepEqual(changed.body.response, forbidden('a-6', [ANNOTATION_DENIAL, paDenial(`${HOW}; meshguard.io/exempt ignored: written by a user who may not grant exemptions`)]));
  });

  describe('the Namespace enforcement label', () => {
    const namespace = (name: string): KubeObject => ({
      apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled', 'meshguard.io/enforcement': 'dryrun' } },
    });

    it('is denied when an unprivileged user creates a Namespace with it', async () => {
      const res = await post(unlocked, '/validate', by(ALICE, namespace('team-a'), 'n-1')).expect(200);
      assert.deepEqual(res.body.response, forbidden('n-1', [
        authzDenial('label meshguard.io/enforcement on Namespace team-a: user "alice" may not override rule enforcement (org config exemptions.granters); remove the label, or ask the platform team to set it', 'metadata.labels.meshguard.io/enforcement'),
      ]));
    });

    it('is honoured when a granter sets it: unlocked rules are downgraded in that namespace, locked ones are not', async () => {
      const created = await post(unlocked, '/validate', by(ADMIN, namespace('team-b'), 'n-2')).expect(200);
      assert.deepEqual(created.body.response, { uid: 'n-2', allowed: true });
      // The cluster view learns of the admitted Namespace (an informer does this in a cluster).
      inventory.upsert(namespace('team-b'));
      unlocked.services.policy.pushNow();
      locked.services.policy.pushNow();
      const pa = { ...permissive, metadata: { name: 'default', namespace: 'team-b' } };
      const relaxed = await post(unlocked, '/validate', by(ALICE, pa, 'n-3')).expect(200);
      assert.deepEqual(relaxed.body.response, { uid: 'n-3', allowed: true, auditAnnotations: { 'dryrun-violations': paDenial(HOW, 'team-b') } });
      const kept = await post(locked, '/validate', by(ALICE, pa, 'n-4')).expect(200);
      assert.deepEqual(kept.body.response, forbidden('n-4', [paDenial(EXEMPT_LOCKED.slice(0, -1), 'team-b')]));
    });
  });
});
