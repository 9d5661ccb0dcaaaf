import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MeshguardError } from '../../../src/errors.js';
import {
  formatCpu,
  formatMemory,
  parseCpuMillis,
  parseMemoryBytes,
  parseQuantity,
  readQuantity,
  toUnits,
} from '../../../src/mutation/index.js';

const G = 1_000_000_000n;

describe('parseQuantity: every suffix Kubernetes accepts', () => {
  const cases: Array<[string, bigint, string]> = [
    ['0', 0n, 'DecimalSI'],
    ['1', G, 'DecimalSI'],
    ['1n', 1n, 'DecimalSI'],
    ['1u', 1_000n, 'DecimalSI'],
    ['1m', 1_000_000n, 'DecimalSI'],
    ['1k', 1_000n * G, 'DecimalSI'],
    ['1M', 10n ** 6n * G, 'DecimalSI'],
    ['1G', 10n ** 9n * G, 'DecimalSI'],
    ['1T', 10n ** 12n * G, 'DecimalSI'],
    ['1P', 10n ** 15n * G, 'DecimalSI'],
    ['1E', 10n ** 18n * G, 'DecimalSI'],
    ['1Ki', 1024n * G, 'BinarySI'],
    ['1Mi', 2n ** 20n * G, 'BinarySI'],
    ['1Gi', 2n ** 30n * G, 'BinarySI'],
    ['1Ti', 2n ** 40n * G, 'BinarySI'],
    ['1Pi', 2n ** 50n * G, 'BinarySI'],
    ['1Ei', 2n ** 60n * G, 'BinarySI'],
    ['1e3', 1_000n * G, 'DecimalExponent'],
    ['1E3', 1_000n * G, 'DecimalExponent'],
    ['1e+3', 1_000n * G, 'DecimalExponent'],
    ['1e-3', 1_000_000n, 'DecimalExponent'],
    ['1E-3', 1_000_000n, 'DecimalExponent'],
    ['1.5e2', 150n * G, 'DecimalExponent'],
    ['+1', G, 'DecimalSI'],
    ['-1', -G, 'DecimalSI'],
    ['-1.5Gi', -(3n * 2n ** 29n) * G, 'BinarySI'],
    ['0.5', G / 2n, 'DecimalSI'],
    ['.5', G / 2n, 'DecimalSI'],
    ['1.', G, 'DecimalSI'],
    ['1.5Gi', 1_610_612_736n * G, 'BinarySI'],
    ['250m', 250_000_000n, 'DecimalSI'],
    ['0.1m', 100_000n, 'DecimalSI'],
    ['007', 7n * G, 'DecimalSI'],
  ];
  for (const [text, nanos, format] of cases) {
    it(`${text} = ${nanos} nano-units (${format})`, () => {
      assert.deepEqual(parseQuantity(text), { nanos, format });
    });
  }

  it('rounds below a nano away from zero, as Kubernetes does', () => {
    assert.equal(parseQuantity('1.5n').nanos, 2n);
    assert.equal(parseQuantity('0.0001n').nanos, 1n);
    assert.equal(parseQuantity('-0.1n').nanos, -1n);
    assert.equal(parseQuantity('1e-12').nanos, 1n);
    assert.equal(parseQuantity('0e-12').nanos, 0n);
  });

  it("agrees with Kubernetes' documented example: 128974848, 129e6, 129M, 128974848000m, 123Mi", () => {
    const bytes = ['128974848', '129e6', '129M', '128974848000m', '123Mi'].map(parseMemoryBytes);
    assert.deepEqual(bytes, [128974848n, 129000000n, 129000000n, 128974848n, 128974848n]);
  });

  it('is exact where floating point is not', () => {
    assert.equal(parseQuantity('0.1').nanos + parseQuantity('0.2').nanos, parseQuantity('0.3').nanos);
    assert.equal(toUnits(parseQuantity('9007199254740993')), 9007199254740993n);
    assert.equal(parseMemoryBytes('7Ei'), 7n * 2n ** 60n);
  });

  it('reads values as long as an annotation may be (200,000 characters) exactly', () => {
    const n = 200_000;
    assert.deepEqual(readQuantity(`${'1'.repeat(n)}x`), { error: 'syntax' });
    assert.deepEqual(readQuantity(`1${'0'.repeat(n)}`), { error: 'too large' });
    assert.deepEqual(readQuantity(`0.${'0'.repeat(n)}1`), { nanos: 1n, format: 'DecimalSI' });
    assert.deepEqual(readQuantity(`1.${'5'.repeat(n)}Ki`), { nanos: 1_592_888_888_889n, format: 'BinarySI' });
    assert.deepEqual(readQuantity(`1e${'0'.repeat(n)}5`), { nanos: 100_000_000_000_000n, format: 'DecimalExponent' });
  });

  it('accepts a finite number (YAML `cpu: 1`) as its decimal text', () => {
    assert.deepEqual(parseQuantity(0.5), parseQuantity('0.5'));
    assert.deepEqual(parseQuantity(2), parseQuantity('2'));
  });

  it('converts to millicores and bytes, rounding up', () => {
    assert.equal(parseCpuMillis('0.1'), 100n);
    assert.equal(parseCpuMillis('1.5'), 1500n);
    assert.equal(parseCpuMillis('1n'), 1n);
    assert.equal(parseCpuMillis('2'), 2000n);
    assert.equal(parseMemoryBytes('0.1Ki'), 103n);
    assert.equal(parseMemoryBytes('1.5Gi'), 1610612736n);
    assert.equal(parseMemoryBytes('1m'), 1n);
  });
});

describe('parseQuantity: rejects what Kubernetes rejects, and values too large', () => {
  const bad: unknown[] = [
    '', ' 1', '1 ', '1Mi ', '1K', '1KI', '1mi', '0.1mi', 'i', '1i', '.5i', '-3.01i', '1e', '1e-', '-3.01e-',
    '1e1.5', '1.1.1', '1.1.M', '1+1.0M', '0.1am', '--1', '+-1', 'aoeu', '1ee3', '1Ke3', '1E3i',
    '1e1001', '8Ei', '١', '0x10', '1,5', 'Infinity', 'NaN', null, undefined, {}, [], true, Number.NaN,
  ];
  for (const value of bad) {
    it(`rejects ${JSON.stringify(value) ?? String(value)}`, () => {
      assert.throws(
        () => parseQuantity(value),
        (err: unknown) => {
          assert.ok(err instanceof MeshguardError);
          assert.equal(err.code, 'MG_ERR_QUANTITY_INVALID');
          assert.match(err.message, /^invalid quantity /);
          if (typeof value === 'string') assert.ok(err.message.includes(JSON.stringify(value)), err.message);
          return true;
        },
      );
    });
  }
});

describe('quantity formatting', () => {
  it('writes CPU as whole cores when divisible, millicores otherwise', () => {
    assert.deepEqual([0n, 1n, 250n, 1000n, 1500n, 2000n, 16000n].map(formatCpu), ['0', '1m', '250m', '1', '1500m', '2', '16']);
  });

  it('writes memory in Mi rounded up, Gi when divisible', () => {
    const Mi = 2n ** 20n;
    assert.deepEqual(
      [0n, 1n, 64n * Mi, 192n * Mi, 192n * Mi + 1n, 1024n * Mi, 1536n * Mi, 2048n * Mi].map(formatMemory),
      ['0', '1Mi', '64Mi', '192Mi', '193Mi', '1Gi', '1536Mi', '2Gi'],
    );
  });

  it('round-trips its own output', () => {
    for (const text of ['250m', '2', '1500m']) assert.equal(formatCpu(parseCpuMillis(text)), text);
    for (const text of ['192Mi', '1Gi', '1536Mi']) assert.equal(formatMemory(parseMemoryBytes(text)), text);
  });
});
