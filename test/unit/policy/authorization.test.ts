import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionRequest } from '../../../src/admission/types.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { AUTHORIZATION_RULE_ID, authorizeRequest, exemptionObjectViolations, mayGrant, type AuthorizationContext } from '../../../src/policy/authorization.js';
import { grantProblems, matchesObject, parseExemptionResource, resourceGrants } from '../../../src/policy/exemption-grants.js';

const now = new Date('2026-06-15T12:00:00Z');
const ctx: AuthorizationContext = {
  exemptions: {
    annotation: 'meshguard.io/exempt', entries: [], granters: { users: ['system:serviceaccount:platform:argo'], groups: ['platform-admins'] },
    workloadControllers: ['system:serviceaccount:kube-system:replicaset-controller'], horizonDays: 90, locked: new Set(['pa-strict-mtls']), namespaceLabel: 'meshguard.io/enforcement',
  },
  exemptionNamespace: 'meshguard-system',
  knownRules: new Set(['pa-strict-mtls', 'vs-wildcard-host']),
  now,
};
const alice = { username: 'alice', groups: ['dev', 'system:authenticated'] };
const admin = { username: 'bob', groups: ['platform-admins', 'system:authenticated'] };
const exempt = (rules: string[], expires = '2026-07-01'): string => JSON.stringify({ rules, owner: 'team-a@example.com', expires });

function vs(annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: 'prod', ...(annotations ? { annotations } : {}) }, spec: {} };
}

function request(object: KubeObject, userInfo: AdmissionRequest['userInfo'], old?: KubeObject): AdmissionRequest {
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion as string).split('/') : ['', object.apiVersion ?? 'v1'];
  return {
    uid: 'u', kind: { group: group ?? '', version: version ?? 'v1', kind: object.kind ?? '' }, namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '', operation: old ? 'UPDATE' : 'CREATE', userInfo, object, oldObject: old ?? null,
  };
}

const deny = (message: string, field: string) => ({ id: AUTHORIZATION_RULE_ID, enforcement: 'deny', message, details: { field } });
const annotationField = 'metadata.annotations.meshguard.io/exempt';

describe('who may grant', () => {
  it('matches users (service accounts are users) and groups, nothing else', () => {
    const granters = ctx.exemptions.granters;
    assert.equal(mayGrant({ username: 'system:serviceaccount:platform:argo' }, granters), true);
    assert.equal(mayGrant({ username: 'carol', groups: ['platform-admins'] }, granters), true);
    assert.equal(mayGrant({ username: 'platform-admins', groups: ['dev'] }, granters), false);
    assert.equal(mayGrant(undefined, granters), false);
  });
});

describe('exemption metadata is checked when it is written', () => {
  it('denies the annotation written by a non-granter, naming it, the user and the way to an exemption', () => {
    assert.deepEqual(authorizeRequest(request(vs({ 'meshguard.io/exempt': exempt(['vs-wildcard-host']) }), alice), ctx), {
      honourAnnotation: false,
      violations: [deny('annotation meshguard.io/exempt on VirtualService prod/web: user "alice" may not grant exemptions (org config exemptions.granters); remove the annotation, or ask the platform team for an Exemption (policy.meshguard.io) in namespace meshguard-system', annotationField)],
    });
  });

  it('lets a granter write it, but refuses locked or unknown rules, malformed JSON and expiry beyond the horizon', () => {
    assert.deepEqual(authorizeRequest(request(vs({ 'meshguard.io/exempt': exempt(['vs-wildcard-host']) }), admin), ctx), { honourAnnotation: true, violations: [] });
    assert.deepEqual(authorizeRequest(request(vs({ 'meshguard.io/exempt': exempt(['pa-strict-mtls', 'nope'], '2026-12-31') }), admin), ctx).violations, [
      deny('annotation meshguard.io/exempt on VirtualService prod/web is refused: unknown rule nope; rule pa-strict-mtls is locked and cannot be exempted; expires 2026-12-31 is beyond the 90-day horizon (at most 2026-09-13)', annotationField),
    ]);
    assert.deepEqual(authorizeRequest(request(vs({ 'meshguard.io/exempt': '{' }), admin), ctx).violations, [deny('annotation meshguard.io/exempt on VirtualService prod/web is refused: not JSON', annotationField)]);
  });

  it('honours an annotation unchanged on UPDATE by anyone, and checks a changed one', () => {
    const before = vs({ 'meshguard.io/exempt': exempt(['vs-wildcard-host']) });
    const after = { ...before, spec: { hosts: ['web'] } };
    assert.deepEqual(authorizeRequest(request(after, alice, before), ctx), { honourAnnotation: true, violations: [] });
    const changed = vs({ 'meshguard.io/exempt': exempt(['vs-wildcard-host'], '2026-08-01') });
    const result = authorizeRequest(request(changed, alice, before), ctx);
    assert.equal(result.honourAnnotation, false);
    assert.equal(result.violations.length, 1);
    assert.deepEqual(authorizeRequest(request(vs(), alice, before), ctx), { honourAnnotation: true, violations: [] }, 'removing it is always allowed');
  });

  it('guards the Namespace enforcement label the same way, and only its allowed values', () => {
    const ns = (value?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', ...(value ? { labels: { 'meshguard.io/enforcement': value } } : {}) } });
    const field = 'metadata.labels.meshguard.io/enforcement';
    assert.deepEqual(authorizeRequest(request(ns('dryrun'), alice), ctx).violations, [
      deny('label meshguard.io/enforcement on Namespace team-a: user "alice" may not override rule enforcement (org config exemptions.granters); remove the label, or ask the platform team to set it', field),
    ]);
    assert.deepEqual(authorizeRequest(request(ns('dryrun'), admin), ctx).violations, []);
    assert.deepEqual(authorizeRequest(request(ns('lax'), admin), ctx).violations, [deny('label meshguard.io/enforcement on Namespace team-a is refused: "lax" is not deny, warn or dryrun', field)]);
    assert.deepEqual(authorizeRequest(request(ns('dryrun'), alice, ns('dryrun')), ctx).violations, [], 'unchanged on UPDATE');
    assert.deepEqual(authorizeRequest(request(ns(), alice, ns('dryrun')), ctx).violations, [], 'removed');
  });

  it('guards the annotation in pod and job templates, and trusts the workload controllers that copy them', () => {
    const annotations = { 'meshguard.io/exempt': exempt(['vs-wildcard-host']) };
    const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod' }, spec: { template: { metadata: { annotations } } } };
    assert.deepEqual(authorizeRequest(request(deployment, alice), ctx), {
      honourAnnotation: true,
      violations: [deny('annotation meshguard.io/exempt (spec.template.metadata) on Deployment prod/web: user "alice" may not grant exemptions (org config exemptions.granters); remove the annotation, or ask the platform team for an Exemption (policy.meshguard.io) in namespace meshguard-system', 'spec.template.metadata.annotations.meshguard.io/exempt')],
    });
    assert.deepEqual(authorizeRequest(request(deployment, admin), ctx), { honourAnnotation: true, violations: [] });
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'prod' }, spec: { jobTemplate: { spec: { template: { metadata: { annotations } } } } } };
    assert.deepEqual(authorizeRequest(request(cron, alice), ctx).violations.map((v) => v.details.field), ['spec.jobTemplate.spec.template.metadata.annotations.meshguard.io/exempt']);
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', annotations }, spec: {} };
    assert.deepEqual(authorizeRequest(request(pod, { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] }), ctx), { honourAnnotation: true, violations: [] });
    assert.equal(authorizeRequest(request(pod, alice), ctx).honourAnnotation, false, 'a Pod written by a person is judged like any object');
  });

  it('judges nothing on DELETE', () => {
    const req = { ...request(vs({ 'meshguard.io/exempt': exempt(['pa-strict-mtls']) }), alice), operation: 'DELETE' as const };
    assert.deepEqual(authorizeRequest(req, ctx), { honourAnnotation: true, violations: [] });
  });
});

describe('Exemption objects', () => {
  const exemption = (spec: Record<string, unknown>, namespace = 'meshguard-system'): KubeObject => ({
    apiVersion: 'policy.meshguard.io/v1alpha1', kind: 'Exemption', metadata: { name: 'legacy', namespace },
    spec: { rules: ['vs-wildcard-host'], owner: 'team-a@example.com', reason: 'migration', expires: '2026-07-01', match: { namespaces: ['prod'] }, ...spec },
  });

  it('parses a well-formed one and matches by namespaces, kinds, names and label selector', () => {
    const parsed = parseExemptionResource(exemption({ match: { namespaces: ['prod'], kinds: ['VirtualService'], names: ['web'], selector: { matchLabels: { app: 'web' } } } }));
    assert.deepEqual(parsed, {
      rules: ['vs-wildcard-host'], owner: 'team-a@example.com', expires: '2026-07-01', reason: 'migration', name: 'meshguard-system/legacy',
      match: { namespaces: ['prod'], kinds: ['VirtualService'], names: ['web'], selector: { matchLabels: { app: 'web' } } },
    });
    if (typeof parsed === 'string') return;
    const labelled = { metadata: { name: 'web', labels: { app: 'web' } } };
    assert.equal(matchesObject(parsed.match, { kind: 'VirtualService', namespace: 'prod', object: labelled }), true);
    assert.equal(matchesObject(parsed.match, { kind: 'VirtualService', namespace: 'dev', object: labelled }), false);
    assert.equal(matchesObject(parsed.match, { kind: 'Gateway', namespace: 'prod', object: labelled }), false);
    assert.equal(matchesObject(parsed.match, { kind: 'VirtualService', namespace: 'prod', object: { metadata: { name: 'api', labels: { app: 'web' } } } }), false);
    assert.equal(matchesObject(parsed.match, { kind: 'VirtualService', namespace: 'prod', object: { metadata: { name: 'web' } } }), false);
  });

  it('keeps only well-formed ones of meshguard namespace', () => {
    const good = exemption({});
    const elsewhere = exemption({}, 'prod');
    const noMatch = exemption({ match: {} });
    assert.deepEqual(resourceGrants([good, elsewhere, noMatch], 'meshguard-system').map((g) => g.name), ['meshguard-system/legacy']);
    assert.equal(parseExemptionResource(noMatch), 'spec.match needs namespaces, kinds, names or selector');
    assert.equal(parseExemptionResource(exemption({ owner: '' })), 'spec.owner is required');
  });

  it('is refused outside meshguard namespace, for locked rules and beyond the horizon', () => {
    const field = (f: string) => ({ id: AUTHORIZATION_RULE_ID, enforcement: 'deny', details: { field: f } });
    assert.deepEqual(exemptionObjectViolations(exemption({}), undefined, ctx), []);
    assert.deepEqual(exemptionObjectViolations(exemption({}, 'prod'), undefined, ctx), [
      { ...field('metadata.namespace'), message: 'Exemption prod/legacy is refused: Exemptions are honoured only in namespace meshguard-system' },
    ]);
    assert.deepEqual(exemptionObjectViolations(exemption({ rules: ['pa-strict-mtls'], expires: '2027-01-01' }), undefined, ctx), [
      { ...field('spec'), message: 'Exemption meshguard-system/legacy is refused: rule pa-strict-mtls is locked and cannot be exempted; expires 2027-01-01 is beyond the 90-day horizon (at most 2026-09-13)' },
    ]);
    const expired = exemption({ expires: '2026-01-01' });
    assert.deepEqual(exemptionObjectViolations({ ...expired, metadata: { ...expired.metadata, labels: { a: 'b' } } }, expired, ctx), [], 'a metadata-only UPDATE is not judged again');
  });

  it('grantProblems accepts the last day of the horizon and refuses the next', () => {
    const limits = { locked: new Set<string>(), horizonDays: 90 };
    assert.deepEqual(grantProblems({ rules: ['x'], owner: 'o', expires: '2026-09-13' }, limits, now), []);
    assert.deepEqual(grantProblems({ rules: ['x'], owner: 'o', expires: '2026-09-14' }, limits, now), ['expires 2026-09-14 is beyond the 90-day horizon (at most 2026-09-13)']);
    assert.deepEqual(grantProblems({ rules: ['x'], owner: 'o', expires: '2026-02-30' }, limits, now), ['expires "2026-02-30" is not a date (YYYY-MM-DD)']);
  });
});
