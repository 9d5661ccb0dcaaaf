import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { MeshConfigError } from '../../../src/mesh/facts.js';
import { meshFactsFrom } from '../../../src/mesh/sources.js';

const meshYaml = `rootNamespace: istio-config
trustDomain: corp.example
enableAutoMtls: false
outboundTrafficPolicy:
  mode: REGISTRY_ONLY
defaultConfig:
  proxyMetadata:
    ISTIO_META_DNS_CAPTURE: "true"
    ISTIO_META_DNS_AUTO_ALLOCATE: "true"
defaultProviders:
  tracing: [zipkin]
extensionProviders:
  - name: zipkin
    zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
  - name: opa-authz
    envoyExtAuthzGrpc: {service: opa.opa.svc.cluster.local, port: 9191}
defaultVirtualServiceExportTo: ["."]
`;

const configMap = (name: string, namespace: string, data: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

const injectorConfig = `policy: disabled
alwaysInjectSelector:
  - matchLabels: {sidecar: always}
neverInjectSelector:
  - matchExpressions: [{key: openshift.io/build.name, operator: Exists}]
`;

describe("Istio's mesh config", () => {
  it('reads every fact of the istio ConfigMap (key mesh) and the injector ConfigMap (key config)', () => {
    const facts = meshFactsFrom([
      configMap('istio', 'istio-system', { mesh: meshYaml }),
      configMap('istio-sidecar-injector', 'istio-system', { config: injectorConfig, values: '{"global":{"proxy":{"autoInject":"enabled"}}}' }),
    ], 'istio-system');
    assert.deepEqual(facts, {
      rootNamespace: 'istio-config',
      trustDomain: 'corp.example',
      enableAutoMtls: false,
      outboundTrafficPolicy: 'REGISTRY_ONLY',
      dnsCapture: true,
      dnsAutoAllocate: true,
      defaultProviders: { tracing: ['zipkin'] },
      extensionProviders: ['zipkin', 'opa-authz'],
      defaultVirtualServiceExportTo: ['.'],
      injector: {
        policy: 'disabled',
        neverInjectSelector: [{ matchExpressions: [{ key: 'openshift.io/build.name', operator: 'Exists' }] }],
        alwaysInjectSelector: [{ matchLabels: { sidecar: 'always' } }],
      },
    });
  });

  it('reads an IstioOperator: spec.meshConfig and spec.values (sidecarInjectorWebhook, global.proxy.autoInject)', () => {
    const iop: KubeObject = {
      apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'installed-state', namespace: 'istio-system' },
      spec: {
        meshConfig: { trustDomain: 'op.example', defaultConfig: { proxyMetadata: { ISTIO_META_DNS_AUTO_ALLOCATE: 'true' } }, extensionProviders: [{ name: 'ext' }] },
        values: { global: { proxy: { autoInject: 'disabled' } }, sidecarInjectorWebhook: { neverInjectSelector: [{ matchLabels: { batch: 'yes' } }] } },
      },
    };
    assert.deepEqual(meshFactsFrom([iop]), {
      trustDomain: 'op.example', dnsAutoAllocate: true, extensionProviders: ['ext'],
      injector: { policy: 'disabled', neverInjectSelector: [{ matchLabels: { batch: 'yes' } }] },
    });
  });

  it('a ConfigMap wins over an IstioOperator for the keys it sets; ConfigMaps outside the root namespace do not count', () => {
    const iop: KubeObject = { kind: 'IstioOperator', metadata: { name: 'x' }, spec: { meshConfig: { trustDomain: 'op.example', enableAutoMtls: true } } };
    const facts = meshFactsFrom([iop, configMap('istio', 'istio-system', { mesh: 'trustDomain: cm.example\n' }), configMap('istio', 'other', { mesh: 'trustDomain: other.example\n' })], 'istio-system');
    assert.deepEqual(facts, { trustDomain: 'cm.example', enableAutoMtls: true });
  });

  it('no source: no facts (rules fall back to the org config mesh section, then their defaults)', () => {
    assert.deepEqual(meshFactsFrom([]), {});
    assert.deepEqual(meshFactsFrom([configMap('istio', 'istio-system', {})]), {});
  });

  it('a key that is not YAML or not a mapping fails naming the ConfigMap and key', () => {
    assert.throws(() => meshFactsFrom([configMap('istio', 'istio-system', { mesh: 'a: [' })]), (err: Error) => {
      assert.ok(err instanceof MeshConfigError);
      assert.match(err.message, /^ConfigMap istio-system\/istio key mesh is not valid YAML: /);
      return true;
    });
    assert.throws(() => meshFactsFrom([configMap('istio-sidecar-injector', 'istio-system', { config: '- a\n- b\n' })]), {
      message: 'ConfigMap istio-system/istio-sidecar-injector key config must be a YAML mapping',
    });
  });
});
