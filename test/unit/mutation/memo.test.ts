import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMemo } from '../../../src/mutation/memo.js';
import { readQuantity } from '../../../src/mutation/quantity.js';
import { defaultMutationConfig } from '../../../src/mutation/config-parse.js';
import { readSizingRecord, writeSizingRecord } from '../../../src/mutation/sizing-record.js';
import { dataCopy } from '../../../src/mutation/subtrees.js';

describe('bounded memo', () => {
  it('computes a key once, then answers from the cache', () => {
    const memo = new BoundedMemo<string>(4);
    const computed: string[] = [];
    const upper = (k: string): string => {
      computed.push(k);
      return k.toUpperCase();
    };
    assert.equal(memo.get('a', upper), 'A');
    assert.equal(memo.get('a', upper), 'A');
    assert.deepEqual(computed, ['a']);
  });

  it('drops the least recently used entry when full', () => {
    const memo = new BoundedMemo<string>(2);
    const computed: string[] = [];
    const id = (k: string): string => {
      computed.push(k);
      return k;
    };
    memo.get('a', id);
    memo.get('b', id);
    memo.get('a', id); // a is now the most recent
    memo.get('c', id); // evicts b
    memo.get('a', id);
    memo.get('b', id);
    assert.deepEqual(computed, ['a', 'b', 'c', 'b']);
    assert.equal(memo.size, 2);
  });

  it('never keeps a key longer than its bound', () => {
    const memo = new BoundedMemo<number>(8, 3);
    let calls = 0;
    const length = (k: string): number => {
      calls++;
      return k.length;
    };
    assert.equal(memo.get('abcd', length), 4);
    assert.equal(memo.get('abcd', length), 4);
    assert.equal(calls, 2);
    assert.equal(memo.size, 0);
  });
});

describe('memoised readers', () => {
  it('a quantity read twice is the same frozen value, errors included', () => {
    const first = readQuantity('250m');
    assert.deepEqual(first, { nanos: 250_000_000n, format: 'DecimalSI' });
    assert.equal(readQuantity('250m'), first);
    assert.ok(Object.isFrozen(first));
    assert.deepEqual(readQuantity('12x'), { error: 'syntax' });
    assert.deepEqual(readQuantity('12x'), { error: 'syntax' });
  });

  it('a sizing record read twice is the same frozen record', () => {
    const text = JSON.stringify({ cpu: { value: '50m', setBy: 'meshguard', source: 'x' } });
    const first = readSizingRecord(text);
    assert.deepEqual(first, { cpu: { value: '50m', setBy: 'meshguard', source: 'x' } });
    assert.equal(readSizingRecord(text), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first?.cpu));
    assert.equal(readSizingRecord('{not json'), undefined);
  });
});

describe('dataCopy', () => {
  it('copies parsed JSON deeply: nothing of the copy is shared', () => {
    const original = JSON.parse('{"a":{"b":[1,{"c":"d"}],"e":null,"f":true},"g":"h"}') as Record<string, unknown>;
    const copy = dataCopy(original) as typeof original;
    assert.deepEqual(copy, original);
    assert.notEqual(copy.a, original.a);
    const inner = (copy.a as Record<string, unknown[]>).b?.[1] as Record<string, string>;
    inner.c = 'changed';
    assert.deepEqual(original, JSON.parse('{"a":{"b":[1,{"c":"d"}],"e":null,"f":true},"g":"h"}'));
  });

  it('keeps a "__proto__" key of parsed JSON as data, not as the prototype', () => {
    const original = JSON.parse('{"__proto__":{"polluted":"yes"},"x":"1"}') as Record<string, unknown>;
    const copy = dataCopy(original) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: string }).polluted, undefined);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'x']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { polluted: 'yes' });
  });

  it('copies values that are not plain data with structuredClone', () => {
    const when = new Date(0);
    const copy = dataCopy({ when }) as { when: Date };
    assert.ok(copy.when instanceof Date);
    assert.notEqual(copy.when, when);
    assert.equal(copy.when.getTime(), 0);
  });
});

describe('remembered sizing records', () => {
  const app = { cpu: 500n, memory: 512n * 1024n * 1024n, cpuLimit: undefined, memoryLimit: 1024n * 1024n * 1024n };
  const values = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '1Gi' };
  const rules = { cpu: 'ratio', cpuLimit: 'factor', memory: 'ratio', memoryLimit: 'ratio' };

  it('gives the text a fresh serialisation gives, for each profile apart', () => {
    const config = defaultMutationConfig().sidecar;
    const plain = writeSizingRecord(app, undefined, config, values, rules);
    assert.equal(writeSizingRecord(app, undefined, config, values, rules), plain);
    const withProfile = writeSizingRecord(app, 'small', config, values, rules);
    assert.equal(JSON.parse(withProfile).profile, 'small');
    assert.equal(JSON.parse(plain).profile, undefined);
    assert.deepEqual(JSON.parse(writeSizingRecord(app, 'a\0b', config, values, rules)), { ...JSON.parse(plain), profile: 'a\0b' });
    // A fresh config (a reload) is a fresh memo: the same inputs give the same text.
    assert.equal(writeSizingRecord(app, undefined, defaultMutationConfig().sidecar, values, rules), plain);
    assert.deepEqual(Object.keys(JSON.parse(plain)), ['cpu', 'cpuLimit', 'memory', 'memoryLimit', 'app']);
    assert.deepEqual(JSON.parse(plain).app, { cpuRequest: '500m', cpuLimit: 'none', memoryRequest: '512Mi', memoryLimit: '1Gi' });
  });
});
