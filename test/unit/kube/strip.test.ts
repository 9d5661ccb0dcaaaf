import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAST_APPLIED, stripObject } from '../../../src/kube/strip.js';

const vs = { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', metadataOnly: false };
const secret = { kind: 'Secret', apiVersion: 'v1', metadataOnly: true };

describe('stripObject', () => {
  it('drops managedFields, the last-applied annotation and status, and sets kind and apiVersion', () => {
    const raw = {
      metadata: {
        name: 'reviews', namespace: 'prod', resourceVersion: '42', labels: { app: 'reviews' },
        annotations: { [LAST_APPLIED]: '{"big":"copy"}', team: 'a' },
        managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: {} }],
      },
      spec: { hosts: ['reviews'] },
      status: { validationMessages: [{ type: { code: 'IST0101' } }] },
    };
    assert.deepEqual(stripObject(raw, vs), {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'prod', resourceVersion: '42', labels: { app: 'reviews' }, annotations: { team: 'a' } },
      spec: { hosts: ['reviews'] },
    });
    assert.equal(raw.metadata.managedFields.length, 1, 'the input is not changed');
  });

  it('removes an annotations map left empty', () => {
    const out = stripObject({ metadata: { name: 'a', annotations: { [LAST_APPLIED]: '{}' } }, spec: {} }, vs);
    assert.deepEqual(out.metadata, { name: 'a' });
  });

  it('keeps only apiVersion, kind and metadata of a metadata-only kind, whatever the server sent', () => {
    const raw = {
      kind: 'Secret', apiVersion: 'v1', type: 'kubernetes.io/tls',
      metadata: { name: 'cert', namespace: 'istio-system', annotations: { [LAST_APPLIED]: '{"data":{"tls.key":"c2VjcmV0"}}' } },
      data: { 'tls.key': 'c2VjcmV0' }, stringData: { password: 'hunter2' },
    };
    const out = stripObject(raw, secret);
    assert.deepEqual(out, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'istio-system' } });
    assert.ok(!JSON.stringify(out).includes('c2VjcmV0'));
  });

  it('turns a PartialObjectMetadata into the kind it describes', () => {
    const raw = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'cert', namespace: 'prod', labels: { a: 'b' } } };
    assert.deepEqual(stripObject(raw, secret), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'prod', labels: { a: 'b' } } });
  });
});
