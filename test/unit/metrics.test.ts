import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { RequestCounter } from '../../src/metrics.js';

const CONFIG = { name: 'x_total', help: 'X.', labelNames: ['webhook', 'outcome'] as const };

describe('RequestCounter', () => {
  it('exports exactly what a prom-client Counter given the same increments exports', async () => {
    const plainRegistry = new Registry();
    const plain = new Counter({ ...CONFIG, registers: [plainRegistry] });
    const tallyRegistry = new Registry();
    const tallied = new RequestCounter({ ...CONFIG, registers: [tallyRegistry] });
    const calls: [{ webhook: string; outcome: string }, number?][] = [
      [{ webhook: 'validate', outcome: 'allowed' }],
      [{ webhook: 'mutate', outcome: 'mutated' }, 2],
      [{ webhook: 'validate', outcome: 'allowed' }],
      [{ webhook: 'validate', outcome: 'denied' }],
    ];
    for (const [labels, value] of calls) {
      plain.inc(labels, value);
      tallied.inc(labels, value);
    }
    assert.equal(await tallyRegistry.metrics(), await plainRegistry.metrics());
    assert.match(await tallyRegistry.metrics(), /x_total\{webhook="validate",outcome="allowed"\} 2\n/);
  });

  it('keeps counting across reads: a read hands the sums over once, later increments add to them', async () => {
    const registry = new Registry();
    const tallied = new RequestCounter({ ...CONFIG, registers: [registry] });
    tallied.inc({ webhook: 'validate', outcome: 'allowed' });
    assert.match(await registry.metrics(), /outcome="allowed"\} 1\n/);
    assert.match(await registry.metrics(), /outcome="allowed"\} 1\n/);
    tallied.inc({ webhook: 'validate', outcome: 'allowed' }, 3);
    assert.match(await registry.metrics(), /outcome="allowed"\} 4\n/);
    const values = (await tallied.counter.get()).values;
    assert.deepEqual(values, [{ value: 4, labels: { webhook: 'validate', outcome: 'allowed' } }]);
  });
});
