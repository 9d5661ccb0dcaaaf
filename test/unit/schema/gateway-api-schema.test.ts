import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaChecker } from '../../../src/schema/istio-schema.js';

const gateway = (spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'infra' }, spec,
});

describe('CRD schema check of Gateway API objects (the shipped v1.6.1 standard CRDs)', () => {
  const check = schemaChecker();

  it('accepts a valid Gateway, addresses of every type included (oneOf branches do not prune)', () => {
    assert.deepEqual(check(gateway({
      gatewayClassName: 'istio',
      addresses: [{ value: '1.2.3.4' }, { type: 'Hostname', value: 'gw.example.com' }, { type: 'example.com/custom', value: 'x' }],
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
    })), []);
  });

  it('warns about a field the API server drops and a value the schema rejects, naming the release', () => {
    assert.deepEqual(check(gateway({ gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostnames: ['a.example.com'] }] })), [{
      id: 'schema-unknown-field', enforcement: 'warn', details: { field: 'spec.listeners[0].hostnames', apiVersion: 'gateway.networking.k8s.io/v1' },
      message: 'Gateway infra/public: field spec.listeners[0].hostnames is not in the gateway.networking.k8s.io/v1 Gateway schema; the API server drops it silently',
    }]);
    assert.deepEqual(check({ apiVersion: 'gateway.networking.k8s.io/v1alpha1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'infra' }, spec: {} }), [{
      id: 'schema-invalid', enforcement: 'warn', details: { apiVersion: 'gateway.networking.k8s.io/v1alpha1' },
      message: 'HTTPRoute infra/r: gateway.networking.k8s.io/v1alpha1 HTTPRoute is not served by the Gateway API CRDs (v1.6.1 standard)',
    }]);
  });
});
