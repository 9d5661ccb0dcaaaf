import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sidecarBounds } from '../../../src/mutation/bounds.js';
import { loadOrgConfig } from '../../../src/org-config.js';

const params = (p: Record<string, unknown>): unknown => ({ 'pod-proxy-resources-range': { params: p } });

describe('sidecarBounds: the range rule params, in millicores and bytes', () => {
  it('reads the shipped org config', async () => {
    assert.deepEqual(sidecarBounds((await loadOrgConfig()).raw.rules), {
      cpu: { min: 50n, max: 2000n },
      memory: { min: 64n * 2n ** 20n, max: 2n * 2n ** 30n },
    });
  });

  it('rounds minimums up and maximums down, so the rounded range lies inside the rule’s', () => {
    assert.deepEqual(sidecarBounds(params({ cpuMin: '50.5m', cpuMax: '1999.5m', memoryMin: '0.5', memoryMax: 1.5 })), {
      cpu: { min: 51n, max: 1999n },
      memory: { min: 1n, max: 1n },
    });
  });

  it('names a param that is missing or not a quantity', () => {
    assert.throws(() => sidecarBounds(params({ cpuMin: '50m', cpuMax: 'lots', memoryMin: '64Mi', memoryMax: '2Gi' })), {
      code: 'MG_ERR_ORG_CONFIG_INVALID',
      message: 'org config rules.pod-proxy-resources-range.params.cpuMax: invalid quantity "lots": not a Kubernetes quantity',
    });
    assert.throws(() => sidecarBounds({}), {
      code: 'MG_ERR_ORG_CONFIG_INVALID',
      message: 'org config rules.pod-proxy-resources-range.params.cpuMin is not set',
    });
  });
});
