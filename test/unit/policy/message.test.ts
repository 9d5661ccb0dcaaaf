import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExemptionConfig } from '../../../src/policy/exemptions.js';
import { WARNING_BUDGET_RUNES, denialMessage, exemptionHint, formatFinding, formatFindingShort, warningLines, type Finding } from '../../../src/policy/message.js';

const config: ExemptionConfig = {
  annotation: 'meshguard.io/exempt', entries: [], granters: { users: ['alice'], groups: ['platform'] }, workloadControllers: [],
  horizonDays: 30, locked: new Set(['pa-strict-mtls']), namespaceLabel: 'meshguard.io/enforcement',
};

const subset: Finding = {
  id: 'vs-subset-exists', istioCode: 'IST0101',
  message: 'VirtualService shop/reviews routes to subset v3 of host reviews, but no DestinationRule for reviews.shop.svc.cluster.local defines it',
  field: 'spec.http[0].route[0].destination.subset',
  fix: 'Add the subset to a DestinationRule for the host, or route to a subset that exists.',
  exemptHow: exemptionHint('vs-subset-exists', config, 'meshguard-system'),
  docs: 'docs/rules.md#vs-subset-exists',
};

describe('finding format', () => {
  it('writes code, field, fix, exemption and docs anchor in one line', () => {
    assert.equal(formatFinding(subset),
      '[vs-subset-exists IST0101] VirtualService shop/reviews routes to subset v3 of host reviews, but no DestinationRule for reviews.shop.svc.cluster.local defines it (spec.http[0].route[0].destination.subset). '
      + 'Fix: Add the subset to a DestinationRule for the host, or route to a subset that exists. '
      + 'Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by user alice or group platform, for at most 30 days. '
      + 'See docs/rules.md#vs-subset-exists');
  });

  it('leaves out the field when the message names it or a parent of it, not when it names a sibling', () => {
    const base: Finding = { id: 'vs-fault-injection', message: '', field: 'spec.http[0].fault.abort.percentage' };
    assert.equal(formatFinding({ ...base, message: 'injects 100% (spec.http[0].fault.abort.percentage)' }), '[vs-fault-injection] injects 100% (spec.http[0].fault.abort.percentage). See docs/rules.md#vs-fault-injection');
    assert.equal(formatFinding({ ...base, message: 'injects 100% (spec.http[0].fault.abort), above the cap' }), '[vs-fault-injection] injects 100% (spec.http[0].fault.abort), above the cap. See docs/rules.md#vs-fault-injection');
    assert.equal(formatFinding({ ...base, message: 'like spec.http[01] and spec.httpRoutes' }), '[vs-fault-injection] like spec.http[01] and spec.httpRoutes (spec.http[0].fault.abort.percentage). See docs/rules.md#vs-fault-injection');
    assert.equal(formatFinding({ ...base, message: 'names only spec' }), '[vs-fault-injection] names only spec (spec.http[0].fault.abort.percentage). See docs/rules.md#vs-fault-injection');
    assert.equal(formatFinding({ ...base, message: 'odd', field: 'spec.x[unclosed' }), '[vs-fault-injection] odd (spec.x[unclosed). See docs/rules.md#vs-fault-injection');
    assert.equal(formatFinding({ ...base, message: 'at spec.x[unclosed', field: 'spec.x[unclosed' }), '[vs-fault-injection] at spec.x[unclosed. See docs/rules.md#vs-fault-injection');
    // the whole path without its spec. counts; a parent without it does not
    assert.equal(formatFinding({ ...base, message: 'injects 100% (http[0].fault.abort.percentage: 100)' }), '[vs-fault-injection] injects 100% (http[0].fault.abort.percentage: 100). See docs/rules.md#vs-fault-injection');
    assert.equal(formatFinding({ ...base, message: 'injects a fault in http[0]' }), '[vs-fault-injection] injects a fault in http[0] (spec.http[0].fault.abort.percentage). See docs/rules.md#vs-fault-injection');
  });

  it('ends each sentence once, whatever the message and fix end with', () => {
    assert.equal(formatFinding({ id: 'r', message: 'Broken.', fix: 'Mend it', exemptHow: 'never' }), '[r] Broken. Fix: Mend it. Exempt: never. See docs/rules.md#r');
  });

  it('says how an exempt finding was exempted instead of how to exempt it', () => {
    assert.equal(formatFinding({ ...subset, exempted: 'resource: exempt by Exemption meshguard-system/x until 2026-12-31 (owner a@example.com)' }),
      `${formatFinding(subset).split(' Exempt:')[0]} Exempted: resource: exempt by Exemption meshguard-system/x until 2026-12-31 (owner a@example.com). See docs/rules.md#vs-subset-exists`);
  });
});

describe('exemption hints from the org exemption model', () => {
  it('names the Exemption namespace, the granters and the horizon; only the Exemption when no one may grant the annotation', () => {
    assert.equal(exemptionHint('r', config, 'policy'), 'an Exemption in namespace policy, or the annotation meshguard.io/exempt set by user alice or group platform, for at most 30 days');
    assert.equal(exemptionHint('r', { ...config, granters: { users: [], groups: [] } }, 'policy'), 'an Exemption in namespace policy, for at most 30 days');
  });

  it('says a locked rule and the built-in authorization check cannot be exempted', () => {
    assert.equal(exemptionHint('pa-strict-mtls', config, 'policy'), 'not exemptible (locked by the org config; only its exemptions.entries apply)');
    assert.equal(exemptionHint('meshguard-exemption-authorization', config, 'policy'), 'never (this check guards exemptions)');
  });
});

describe('denial messages and warnings', () => {
  it('gives one finding alone and several under a header, without a subject too', () => {
    const other: Finding = { id: 'vs-wildcard-host', message: 'VirtualService shop/reviews claims the host "*"' };
    assert.equal(denialMessage([subset]), formatFinding(subset));
    assert.equal(denialMessage([subset, other], { kind: 'VirtualService', namespace: 'shop', name: 'reviews' }),
      `2 meshguard rules denied VirtualService shop/reviews:\n${formatFinding(subset)}\n[vs-wildcard-host] VirtualService shop/reviews claims the host "*". See docs/rules.md#vs-wildcard-host`);
    assert.equal(denialMessage([subset, other]), `2 meshguard rules denied the request:\n${formatFinding(subset)}\n${formatFinding(other)}`);
  });

  it('switches every warning to the short form when the full ones exceed the budget', () => {
    assert.equal(formatFindingShort(subset),
      '[vs-subset-exists IST0101] VirtualService shop/reviews routes to subset v3 of host reviews, but no DestinationRule for reviews.shop.svc.cluster.local defines it (spec.http[0].route[0].destination.subset). See docs/rules.md#vs-subset-exists');
    const fits = Math.floor(WARNING_BUDGET_RUNES / [...formatFinding(subset)].length);
    assert.deepEqual(warningLines(Array(fits).fill(subset)), Array(fits).fill(formatFinding(subset)));
    assert.deepEqual(warningLines(Array(fits + 1).fill(subset)), Array(fits + 1).fill(formatFindingShort(subset)));
  });
});
