import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, judge } from '../../../src/policy/decision.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { Exemptions, selectorMatches, type VerdictTarget } from '../../../src/policy/exemptions.js';
import type { Violation } from '../../../src/policy/types.js';

const now = new Date('2026-06-15T12:00:00Z');
const catalog = { 'vs-subset': { id: 'vs-subset', title: 't', severity: 'high', enforcement: 'deny', package: 'p', istioCode: 'IST0101', fix: 'Define the subset.' } };
const v = (id: string, enforcement: Violation['enforcement'], message = `${id} broke`): Violation => ({ id, enforcement, message, details: {} });
const base = { annotation: 'meshguard.io/exempt', granters: { users: [], groups: ['system:masters'] }, workloadControllers: ['system:serviceaccount:kube-system:replicaset-controller'], horizonDays: 90, locked: new Set<string>(['l-rule']), namespaceLabel: 'meshguard.io/enforcement' };
const none = new Exemptions({ ...base, entries: [] });

const HOW = 'Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days.';
const line = (id: string, extra = '') => `[${id}] ${id} broke.${extra} ${HOW} See docs/rules.md#${id}`;

describe('decision mapping', () => {
  it('denies with 403 naming the subject and one denied finding per line, warns and audits the rest', () => {
    const judged = judge([v('b-rule', 'deny'), v('a-rule', 'deny'), v('w-rule', 'warn'), v('d-rule', 'dryrun')], { object: {}, namespace: 'ns', exemptions: none, catalog, now });
    assert.deepEqual(decide(judged, { kind: 'Telemetry', namespace: 'ns', name: 'tm' }), {
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: `2 meshguard rules denied Telemetry ns/tm:\n${line('a-rule')}\n${line('b-rule')}` },
      warnings: [line('w-rule')],
      auditAnnotations: { 'dryrun-violations': line('d-rule') },
      violations: judged,
    });
  });

  it('gives a single denial as the finding alone, and counts rules, not findings, in the header', () => {
    const one = judge([v('a-rule', 'deny')], { object: {}, namespace: 'ns', exemptions: none, catalog, now });
    assert.deepEqual(decide(one, { kind: 'Telemetry', namespace: 'ns', name: 'tm' }).status, { code: 403, reason: 'Forbidden', message: line('a-rule') });
    const twice = judge([v('a-rule', 'deny', 'a-rule broke'), v('a-rule', 'deny', 'a-rule broke again')], { object: {}, namespace: 'ns', exemptions: none, catalog, now });
    assert.deepEqual(decide(twice, { kind: 'Namespace', name: 'shop' }).status, {
      code: 403, reason: 'Forbidden',
      message: `1 meshguard rule denied Namespace shop:\n${line('a-rule')}\n[a-rule] a-rule broke again. ${HOW} See docs/rules.md#a-rule`,
    });
  });

  it('allows with no findings and adds the catalog facts: istioCode, fix, field and docs anchor', () => {
    assert.deepEqual(decide([]), { allowed: true, warnings: [], auditAnnotations: {}, violations: [] });
    const judged = judge([{ ...v('vs-subset', 'warn'), details: { field: 'spec.http[0]' } }], { object: {}, namespace: 'ns', exemptions: none, catalog, now });
    assert.deepEqual(judged, [{
      id: 'vs-subset', enforcement: 'warn', message: 'vs-subset broke', details: { field: 'spec.http[0]' }, istioCode: 'IST0101',
      field: 'spec.http[0]', fix: 'Define the subset.', docs: 'docs/rules.md#vs-subset',
      exemptHow: 'an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days',
    }]);
    assert.deepEqual(decide(judged).warnings, [`[vs-subset IST0101] vs-subset broke (spec.http[0]). Fix: Define the subset. ${HOW} See docs/rules.md#vs-subset`]);
  });

  it('prefers a violation\'s own details.fix to the catalog fix', () => {
    const judged = judge([{ ...v('vs-subset', 'deny'), details: { fix: 'Add subset v3 to DestinationRule shop/reviews.' } }], { object: {}, namespace: 'ns', exemptions: none, catalog, now, exemptionNamespace: 'policy' });
    assert.deepEqual(decide(judged).status?.message,
      '[vs-subset IST0101] vs-subset broke. Fix: Add subset v3 to DestinationRule shop/reviews. Exempt: an Exemption in namespace policy, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. See docs/rules.md#vs-subset');
  });

  it('says a locked rule is not exemptible, with the ignored exemption', () => {
    const object = { metadata: { annotations: { 'meshguard.io/exempt': JSON.stringify({ rules: ['l-rule'], owner: 'ops@example.com', expires: '2026-07-01' }) } } };
    const judged = judge([v('l-rule', 'deny')], { object, namespace: 'ns', exemptions: none, catalog, now });
    assert.deepEqual(decide(judged).status?.message,
      '[l-rule] l-rule broke. Exempt: not exemptible (locked by the org config; only its exemptions.entries apply); meshguard.io/exempt ignored: rule l-rule is locked. See docs/rules.md#l-rule');
  });
});

describe('exemptions', () => {
  const exemptions = new Exemptions({
    ...base,
    entries: [
      { namespaces: ['legacy'], rules: ['a-rule'] },
      { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['batch'] }] } },
    ],
  });
  const annotated = (value: unknown) => ({ metadata: { annotations: { 'meshguard.io/exempt': typeof value === 'string' ? value : JSON.stringify(value) } } });
  const at = (object: KubeObject, namespace: string, honourAnnotation = true): VerdictTarget => ({ object, kind: 'Telemetry', namespace, now, honourAnnotation, resources: [] });

  it('exempts by namespace for the listed rules only', () => {
    assert.deepEqual(exemptions.verdict('a-rule', at({}, 'legacy')), { exempt: true, exemption: { source: 'org-config', reason: 'exempt by org config (namespace legacy)' } });
    assert.deepEqual(exemptions.verdict('b-rule', at({}, 'legacy')), { exempt: false });
  });

  it('exempts by label selector for every rule when none are listed', () => {
    assert.deepEqual(exemptions.verdict('b-rule', at({ metadata: { labels: { tier: 'batch' } } }, 'prod')), { exempt: true, exemption: { source: 'org-config', reason: 'exempt by org config (label selector)' } });
    assert.deepEqual(exemptions.verdict('b-rule', at({ metadata: { labels: { tier: 'web' } } }, 'prod')), { exempt: false });
  });

  it('honours an annotation until the end of its expiry day, then says it expired', () => {
    const ok = annotated({ rules: ['b-rule'], owner: 'ops@example.com', expires: '2026-06-15' });
    assert.deepEqual(exemptions.verdict('b-rule', at(ok, 'prod')), { exempt: true, exemption: { source: 'annotation', reason: 'exempt until 2026-06-15 (owner ops@example.com)', owner: 'ops@example.com', expires: '2026-06-15' } });
    assert.deepEqual(exemptions.verdict('c-rule', at(ok, 'prod')), { exempt: false });
    const old = annotated({ rules: ['b-rule'], owner: 'ops@example.com', expires: '2026-06-14' });
    assert.deepEqual(exemptions.verdict('b-rule', at(old, 'prod')), { exempt: false, note: 'meshguard.io/exempt ignored: the exemption owned by ops@example.com expired on 2026-06-14' });
  });

  it('ignores a malformed annotation and says why', () => {
    assert.deepEqual(exemptions.verdict('b-rule', at(annotated('{nope'), 'prod')), { exempt: false, note: 'meshguard.io/exempt ignored: not JSON' });
    assert.deepEqual(exemptions.verdict('b-rule', at(annotated({ rules: ['b-rule'], expires: '2030-01-01' }), 'prod')), { exempt: false, note: 'meshguard.io/exempt ignored: "owner" is required' });
    assert.deepEqual(exemptions.verdict('b-rule', at(annotated({ rules: ['b-rule'], owner: 'x', expires: 'soon' }), 'prod')), { exempt: false, note: 'meshguard.io/exempt ignored: expires "soon" is not a date (YYYY-MM-DD)' });
  });

  it('marks exempt violations in judge and keeps them out of the decision', () => {
    const judged = judge([v('a-rule', 'deny')], { object: {}, namespace: 'legacy', exemptions, catalog: {}, now });
    const exemption = { source: 'org-config' as const, reason: 'exempt by org config (namespace legacy)' };
    assert.deepEqual(judged, [{ id: 'a-rule', enforcement: 'deny', message: 'a-rule broke', details: {}, docs: 'docs/rules.md#a-rule', exempt: exemption.reason, exemption }]);
    assert.deepEqual(decide(judged), {
      allowed: true, warnings: [], violations: judged,
      auditAnnotations: { exempted: 'a-rule', 'exempted-by': '[{"rule":"a-rule","source":"org-config"}]' },
    });
  });

  it('ignores an annotation beyond the horizon, on a locked rule, or written by a non-granter', () => {
    const far = annotated({ rules: ['b-rule'], owner: 'ops@example.com', expires: '2026-09-14' });
    assert.deepEqual(exemptions.verdict('b-rule', at(far, 'prod')), { exempt: false, note: 'meshguard.io/exempt ignored: expires 2026-09-14 is beyond the 90-day horizon (at most 2026-09-13)' });
    const locked = annotated({ rules: ['l-rule'], owner: 'ops@example.com', expires: '2026-07-01' });
    assert.deepEqual(exemptions.verdict('l-rule', at(locked, 'prod')), { exempt: false, note: 'meshguard.io/exempt ignored: rule l-rule is locked' });
    const ok = annotated({ rules: ['b-rule'], owner: 'ops@example.com', expires: '2026-07-01' });
    assert.deepEqual(exemptions.verdict('b-rule', at(ok, 'prod', false)), { exempt: false, note: 'meshguard.io/exempt ignored: written by a user who may not grant exemptions' });
  });

  it('honours a matching Exemption object, never for a locked rule, and says why one is ignored', () => {
    const grant = { rules: ['b-rule', 'l-rule'], owner: 'ops@example.com', expires: '2026-07-01', name: 'meshguard-system/legacy', match: { namespaces: ['prod'], kinds: ['Telemetry'] } };
    const target = { ...at({ metadata: { name: 'tm' } }, 'prod'), resources: [grant] };
    assert.deepEqual(exemptions.verdict('b-rule', target), {
      exempt: true,
      exemption: { source: 'resource', reason: 'exempt by Exemption meshguard-system/legacy until 2026-07-01 (owner ops@example.com)', owner: 'ops@example.com', expires: '2026-07-01', name: 'meshguard-system/legacy' },
    });
    assert.deepEqual(exemptions.verdict('l-rule', target), { exempt: false, note: 'Exemption meshguard-system/legacy ignored: rule l-rule is locked' });
    assert.deepEqual(exemptions.verdict('b-rule', { ...target, kind: 'Gateway' }), { exempt: false });
    assert.deepEqual(exemptions.verdict('b-rule', { ...target, resources: [{ ...grant, expires: '2026-06-01' }] }), {
      exempt: false, note: 'Exemption meshguard-system/legacy ignored: the exemption owned by ops@example.com expired on 2026-06-01',
    });
  });

  it('never exempts the built-in authorization check', () => {
    const judged = judge([v('meshguard-exemption-authorization', 'deny')], { object: {}, namespace: 'legacy', exemptions: new Exemptions({ ...base, entries: [{ namespaces: ['legacy'] }] }), catalog: {}, now });
    assert.deepEqual(judged, [{
      id: 'meshguard-exemption-authorization', enforcement: 'deny', message: 'meshguard-exemption-authorization broke', details: {},
      fix: 'Remove the exemption annotation or enforcement label, or have a granter write it naming known, unlocked rules with an expiry within the horizon.',
      docs: 'docs/rules.md#meshguard-exemption-authorization', exemptHow: 'never (this check guards exemptions)',
    }]);
  });

  it('matches label selectors like Kubernetes', () => {
    const labels = { app: 'web', tier: 'front' };
    assert.equal(selectorMatches({}, labels), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'web' } }, labels), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'db' } }, labels), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' }] }, labels), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels), true);
  });
});
