import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GATEWAY_API_KINDS, inventoryKind } from '../../../src/inventory/kinds.js';
import { KubeApiError, type KubeHttp } from '../../../src/kube/client.js';
import { INVENTORY_KINDS, RESOURCES, resolveResources } from '../../../src/kube/resources.js';

/** A fake discovery endpoint serving `groups` (group version -> plurals); anything else is 404. */
function discovery(groups: Record<string, string[]>): KubeHttp {
  return {
    async get(path: string): Promise<unknown> {
      const plurals = groups[path.replace(/^\/apis\//, '')];
      if (!plurals) throw new KubeApiError(404, 'NotFound', `${path}: the server could not find the requested resource`);
      return { resources: plurals.map((name) => ({ name })) };
    },
  } as unknown as KubeHttp;
}

describe('Gateway API kinds in the cluster view', () => {
  it('are inventory kinds under their own names, with the API mapping of the v1.6.1 CRDs', () => {
    assert.deepEqual([...GATEWAY_API_KINDS], ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'ReferenceGrant', 'GatewayClass', 'ListenerSet']);
    for (const kind of GATEWAY_API_KINDS) assert.ok(INVENTORY_KINDS.includes(kind), kind);
    assert.deepEqual(GATEWAY_API_KINDS.map((k) => [k, RESOURCES[k]?.plural, RESOURCES[k]?.versions, RESOURCES[k]?.namespaced]), [
      ['HTTPRoute', 'httproutes', ['v1', 'v1beta1'], true],
      ['GRPCRoute', 'grpcroutes', ['v1'], true],
      ['TCPRoute', 'tcproutes', ['v1', 'v1alpha2'], true],
      ['TLSRoute', 'tlsroutes', ['v1', 'v1alpha3', 'v1alpha2'], true],
      ['ReferenceGrant', 'referencegrants', ['v1', 'v1beta1'], true],
      ['GatewayClass', 'gatewayclasses', ['v1', 'v1beta1'], false],
      ['ListenerSet', 'listenersets', ['v1'], true],
    ]);
    assert.equal(inventoryKind({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' }), 'HTTPRoute');
    assert.equal(inventoryKind({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' }), 'KubernetesGateway');
  });

  it('are read at the version the server serves: v1alpha2 routes of an older installation, and no ListenerSet there', async () => {
    const specs = ['TCPRoute', 'TLSRoute', 'GatewayClass', 'ListenerSet'].map((k) => RESOURCES[k]!);
    const { served, missing } = await resolveResources(discovery({
      'gateway.networking.k8s.io/v1': ['gatewayclasses', 'gateways', 'httproutes'],
      'gateway.networking.k8s.io/v1alpha2': ['tcproutes', 'tlsroutes'],
    }), specs);
    assert.deepEqual(served.map((r) => [r.kind, r.apiVersion, r.path]), [
      ['TCPRoute', 'gateway.networking.k8s.io/v1alpha2', '/apis/gateway.networking.k8s.io/v1alpha2/tcproutes'],
      ['TLSRoute', 'gateway.networking.k8s.io/v1alpha2', '/apis/gateway.networking.k8s.io/v1alpha2/tlsroutes'],
      ['GatewayClass', 'gateway.networking.k8s.io/v1', '/apis/gateway.networking.k8s.io/v1/gatewayclasses'],
    ]);
    assert.deepEqual(missing.map((r) => r.kind), ['ListenerSet']);
  });
});
