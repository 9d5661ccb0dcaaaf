import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bitString, boolean, explicit, implicit, integer, octetString, oid, sequence, set, time, tlv, utf8String } from '../../../src/tls/der.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('DER encoder', () => {
  it('encodes lengths in short form below 128 and in the fewest long-form bytes above', () => {
    assert.equal(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4), '047f');
    assert.equal(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6), '048180');
    assert.equal(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8), '0482012c');
    assert.equal(tlv(0x04, Buffer.alloc(300)).length, 304);
  });

  it('encodes integers as minimal positive two\'s complement', () => {
    assert.equal(hex(integer(0)), '020100');
    assert.equal(hex(integer(2)), '020102');
    assert.equal(hex(integer(127)), '02017f');
    assert.equal(hex(integer(128)), '02020080');
    assert.equal(hex(integer(65537)), '0203010001');
    assert.equal(hex(integer(Buffer.from([0, 0, 0x81, 0x02]))), '0203008102');
    assert.equal(hex(integer(Buffer.from([0, 0]))), '020100');
    assert.throws(() => integer(-1), /non-negative safe integer, got -1/);
  });

  it('encodes object identifiers in base 128', () => {
    assert.equal(hex(oid('1.2.840.10045.4.3.2')), '06082a8648ce3d040302');
    assert.equal(hex(oid('2.5.29.17')), '0603551d11');
    assert.equal(hex(oid('1.3.6.1.5.5.7.3.1')), '06082b06010505070301');
    assert.throws(() => oid('1.x'), /invalid OID "1.x"/);
    assert.throws(() => oid('1.40'), /invalid OID "1.40"/);
  });

  it('encodes booleans, strings, bit strings and tagged values', () => {
    assert.equal(hex(boolean(true)), '0101ff');
    assert.equal(hex(boolean(false)), '010100');
    assert.equal(hex(utf8String('é')), '0c02c3a9');
    assert.equal(hex(octetString(Buffer.from([1, 2]))), '04020102');
    assert.equal(hex(bitString(Buffer.from([0x80]), 1)), '03020780');
    assert.equal(hex(bitString(Buffer.from([0xab, 0xcd]))), '030300abcd');
    assert.throws(() => bitString(Buffer.from([0]), 0), /bit length 0 does not fit 1 bytes/);
    assert.equal(hex(explicit(0, integer(2))), 'a003020102');
    assert.equal(hex(implicit(2, Buffer.from('a'))), '820161');
    assert.equal(hex(sequence()), '3000');
    assert.equal(hex(sequence(integer(1), integer(2))), '3006020101020102');
  });

  it('sorts the elements of a SET by their encoding', () => {
    assert.equal(hex(set(integer(2), integer(1))), '3106020101020102');
  });

  it('writes UTCTime up to 2049 and GeneralizedTime from 2050', () => {
    assert.equal(time(new Date('2026-11-29T21:05:09.750Z')).toString('latin1'), '\x17\x0d261129210509Z');
    assert.equal(time(new Date('2049-12-31T23:59:59Z')).toString('latin1'), '\x17\x0d491231235959Z');
    assert.equal(time(new Date('2050-01-01T00:00:00Z')).toString('latin1'), '\x18\x0f20500101000000Z');
  });
});
