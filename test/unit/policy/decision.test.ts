import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, judge } from '../../../src/policy/decision.js';
import { Exemptions, selectorMatches } from '../../../src/policy/exemptions.js';
import type { Violation } from '../../../src/policy/types.js';

const now = new Date('2026-06-15T12:00:00Z');
const catalog = { 'vs-subset': { id: 'vs-subset', title: 't', severity: 'high', enforcement: 'deny', package: 'p', istioCode: 'IST0101' } };
const v = (id: string, enforcement: Violation['enforcement'], message = `${id} broke`): Violation => ({ id, enforcement, message, details: {} });
const none = new Exemptions({ annotation: 'meshguard.io/exempt', entries: [] });

describe('decision mapping', () => {
  it('denies with 403 listing every denied rule, warns and audits the rest', () => {
    const judged = judge([v('b-rule', 'deny'), v('a-rule', 'deny'), v('w-rule', 'warn'), v('d-rule', 'dryrun')], { object: {}, namespace: 'ns', exemptions: none, catalog, now });
    assert.deepEqual(decide(judged), {
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'meshguard denied the request: [a-rule] a-rule broke; [b-rule] b-rule broke' },
      warnings: ['[w-rule] w-rule broke'],
      auditAnnotations: { 'dryrun-violations': '[d-rule] d-rule broke' },
      violations: judged,
    });
  });

  it('allows with no findings and adds the istioCode from the catalog', () => {
    assert.deepEqual(decide([]), { allowed: true, warnings: [], auditAnnotations: {}, violations: [] });
    const judged = judge([v('vs-subset', 'warn')], { object: {}, namespace: 'ns', exemptions: none, catalog, now });
    assert.deepEqual(judged, [{ id: 'vs-subset', enforcement: 'warn', message: 'vs-subset broke', details: {}, istioCode: 'IST0101' }]);
  });
});

describe('exemptions', () => {
  const exemptions = new Exemptions({
    annotation: 'meshguard.io/exempt',
    entries: [
      { namespaces: ['legacy'], rules: ['a-rule'] },
      { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['batch'] }] } },
    ],
  });
  const annotated = (value: unknown) => ({ metadata: { annotations: { 'meshguard.io/exempt': typeof value === 'string' ? value : JSON.stringify(value) } } });

  it('exempts by namespace for the listed rules only', () => {
    assert.deepEqual(exemptions.verdict('a-rule', {}, 'legacy', now), { exempt: true, reason: 'exempt by org config (namespace legacy)' });
    assert.deepEqual(exemptions.verdict('b-rule', {}, 'legacy', now), { exempt: false });
  });

  it('exempts by label selector for every rule when none are listed', () => {
    assert.deepEqual(exemptions.verdict('b-rule', { metadata: { labels: { tier: 'batch' } } }, 'prod', now), { exempt: true, reason: 'exempt by org config (label selector)' });
    assert.deepEqual(exemptions.verdict('b-rule', { metadata: { labels: { tier: 'web' } } }, 'prod', now), { exempt: false });
  });

  it('honours an annotation until the end of its expiry day, then says it expired', () => {
    const ok = annotated({ rules: ['b-rule'], owner: 'ops@example.com', expires: '2026-06-15' });
    assert.deepEqual(exemptions.verdict('b-rule', ok, 'prod', now), { exempt: true, reason: 'exempt until 2026-06-15 (owner ops@example.com)' });
    assert.deepEqual(exemptions.verdict('c-rule', ok, 'prod', now), { exempt: false });
    const old = annotated({ rules: ['b-rule'], owner: 'ops@example.com', expires: '2026-06-14' });
    assert.deepEqual(exemptions.verdict('b-rule', old, 'prod', now), { exempt: false, note: 'exemption owned by ops@example.com expired on 2026-06-14' });
  });

  it('ignores a malformed annotation and says why', () => {
    assert.deepEqual(exemptions.verdict('b-rule', annotated('{nope'), 'prod', now), { exempt: false, note: 'meshguard.io/exempt ignored: not JSON' });
    assert.deepEqual(exemptions.verdict('b-rule', annotated({ rules: ['b-rule'], expires: '2030-01-01' }), 'prod', now), { exempt: false, note: 'meshguard.io/exempt ignored: "owner" is required' });
    assert.deepEqual(exemptions.verdict('b-rule', annotated({ rules: ['b-rule'], owner: 'x', expires: 'soon' }), 'prod', now), { exempt: false, note: 'meshguard.io/exempt ignored: expires "soon" is not a date (YYYY-MM-DD)' });
  });

  it('marks exempt violations in judge and keeps them out of the decision', () => {
    const judged = judge([v('a-rule', 'deny')], { object: {}, namespace: 'legacy', exemptions, catalog: {}, now });
    assert.deepEqual(judged, [{ id: 'a-rule', enforcement: 'deny', message: 'a-rule broke', details: {}, exempt: 'exempt by org config (namespace legacy)' }]);
    assert.deepEqual(decide(judged), { allowed: true, warnings: [], auditAnnotations: { exempted: 'a-rule' }, violations: judged });
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
