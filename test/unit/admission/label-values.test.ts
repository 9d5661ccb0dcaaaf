import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidJsonMessage } from '../../../src/admission/body.js';
import { OTHER, enforcementLabel, kindLabel, knownKinds, ruleLabel, truncateField } from '../../../src/admission/label-values.js';
import { failure } from '../../../src/admission/responses.js';
import { withoutPaths } from '../../../src/errors.js';
import type { RuleCatalog } from '../../../src/policy/types.js';

const catalog: RuleCatalog = {
  'vs-wildcard-host': { id: 'vs-wildcard-host', title: 't', severity: 'high', enforcement: 'deny', kinds: ['VirtualService'], package: 'p' },
  'ns-label': { id: 'ns-label', title: 't', severity: 'low', enforcement: 'warn', kinds: ['Namespace'], package: 'p' },
};

describe('metric label values come from closed sets', () => {
  it('kinds: the catalog\'s and the mutated ones, anything else other', () => {
    assert.deepEqual([...knownKinds(catalog)].sort(), ['CronJob', 'DaemonSet', 'Deployment', 'DestinationRule', 'Exemption', 'Job', 'Namespace', 'PeerAuthentication', 'Pod', 'ReplicaSet', 'StatefulSet', 'Telemetry', 'VirtualService']);
    assert.equal(kindLabel('VirtualService', catalog), 'VirtualService');
    assert.equal(kindLabel('Pod', undefined), 'Pod');
    assert.equal(kindLabel('VirtualService', undefined), OTHER);
    assert.equal(kindLabel('K'.repeat(100_000), catalog), OTHER);
    assert.equal(kindLabel('__proto__', catalog), OTHER);
  });

  it('rule ids only from the serving catalog, enforcements only deny/warn/dryrun', () => {
    assert.equal(ruleLabel('ns-label', catalog), 'ns-label');
    assert.equal(ruleLabel('made-up', catalog), OTHER);
    assert.equal(ruleLabel('constructor', catalog), OTHER);
    assert.equal(ruleLabel('ns-label', undefined), OTHER);
    assert.equal(ruleLabel('meshguard-exemption-authorization', undefined), 'meshguard-exemption-authorization');
    assert.deepEqual(['deny', 'warn', 'dryrun', 'audit'].map(enforcementLabel), ['deny', 'warn', 'dryrun', OTHER]);
  });
});

describe('untrusted text in logs and answers', () => {
  it('truncates a field past 253 characters and says how much was cut', () => {
    assert.equal(truncateField('a'.repeat(253)), 'a'.repeat(253));
    assert.equal(truncateField('a'.repeat(1000)), `${'a'.repeat(253)}…[747 more characters]`);
  });

  it('cuts file paths out of messages but keeps annotation keys and API versions', () => {
    assert.equal(withoutPaths('cannot read policy bundle /etc/meshguard/policy/bundle.tar.gz: ENOENT, open \'/etc/meshguard/policy/bundle.tar.gz\''),
      'cannot read policy bundle bundle.tar.gz: ENOENT, open \'bundle.tar.gz\'');
    assert.equal(withoutPaths('policy evaluation failed: /tmp/meshguard-build-x1/policies/rules/a/policy.rego:12:5: object insert conflict'),
      'policy evaluation failed: policy.rego:12:5: object insert conflict');
    assert.equal(withoutPaths('policies/istio/vs-x/policy.rego:3: eval_conflict_error'), 'policy.rego:3: eval_conflict_error');
    assert.equal(withoutPaths('sidecar.istio.io/proxyCPU is not a quantity; admission.k8s.io/v1 only'), 'sidecar.istio.io/proxyCPU is not a quantity; admission.k8s.io/v1 only');
  });

  it('a failure answer carries no path', () => {
    const answer = failure('u-1', 'deny', 'evaluate policies', 'MG_ERR_POLICY_EVALUATION', 'policy evaluation failed: /tmp/meshguard-build-x1/policies/rules/a/policy.rego:12:5: conflict');
    assert.deepEqual(answer.response, {
      uid: 'u-1', allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'meshguard could not evaluate policies: policy evaluation failed: policy.rego:12:5: conflict (MG_ERR_POLICY_EVALUATION); failureMode is deny' },
    });
  });

  it('names a JSON error by position only, never quoting the body', () => {
    const message = (text: string): string => {
      try {
        JSON.parse(text);
      } catch (err) {
        return invalidJsonMessage(err, Buffer.byteLength(text));
      }
      throw new Error('parsed');
    };
    assert.equal(message('{"a" 1}'), 'body is not valid JSON from byte 5');
    assert.equal(message('{"secret": "s3cr3t"'), 'body is not valid JSON from byte 19');
    assert.equal(message('s3cr3t-token'), 'body is not valid JSON');
  });
});
