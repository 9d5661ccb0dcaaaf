import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { LABEL_RULE, buildTestBundle } from '../support/bundles.js';
import { admissionReview } from '../support/fixtures.js';
import { EXEMPT_DEFAULT, FIX } from '../support/messages.js';
import { orgConfigFile, post, testServer } from '../support/server.js';

// An object's strings end up in findings. Control characters in them (a raw AdmissionReview is not
// validated like a name the API server admits) must not split a finding over lines, nor make the
// API server drop a warning (it drops any warning with a non-printable character).
const odd: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm\nFake: line\u0007\t', labels: { 'test/deny': 'x' } } };
const ESCAPED = '[test-label] ConfigMap cm\\nFake: line\\u0007\\t carries test/deny.';
const LINE = `${ESCAPED} Fix: ${FIX['test-label']} ${EXEMPT_DEFAULT} See docs/rules.md#test-label`;

describe('findings that quote control characters from the object', () => {
  let deny: MeshguardServer;
  let warn: MeshguardServer;
  before(async () => {
    const policyBundle = await buildTestBundle({ 'label/policy.rego': LABEL_RULE });
    deny = await testServer({ policyBundle });
    warn = await testServer({ policyBundle, orgConfig: await orgConfigFile('rules:\n  test-label:\n    enforcement: warn\n') });
  });
  after(async () => {
    await deny.close();
    await warn.close();
  });

  it('denies with the characters escaped, one line', async () => {
    const res = await post(deny, '/validate', admissionReview(odd, { uid: 'c-1' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 'c-1', allowed: false, status: { code: 403, reason: 'Forbidden', message: LINE } });
  });

  it('warns with only printable characters, so the API server keeps the warning', async () => {
    const res = await post(warn, '/validate', admissionReview(odd, { uid: 'c-2' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 'c-2', allowed: true, warnings: [LINE] });
  });
});
