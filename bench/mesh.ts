/**
 * A consistent generated mesh of N objects, as a large cluster holds them: per namespace of about
 * 50 objects the Namespace (injection on), a STRICT PeerAuthentication, a default Sidecar and
 * Telemetry, a ServiceEntry and an ingress Gateway, then applications of five objects each
 * (Service, Deployment, VirtualService, DestinationRule, AuthorizationPolicy)
 * whose hosts, selectors and subsets refer to each other. Every fifth namespace has one
 * application whose VirtualService routes to a subset no DestinationRule defines, so
 * cross-resource rules have something to find. The first namespace is `shop`, where the benchmark
 * payloads live.
 *
 *   node dist/bench/mesh.js <objects> > mesh.yaml     (for `meshguard check`)
 */
import path from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../src/inventory/objects.js';
import { sharedObject } from './payloads.js';

const APPS_PER_NAMESPACE = 7;

function meta(name: string, ns: string, kind: string, labels?: Record<string, string>): Record<string, unknown> {
  return { name, namespace: ns, uid: `uid-${kind}-${ns}-${name}`, resourceVersion: '1000', ...(labels ? { labels } : {}) };
}

/** The per-namespace objects. */
function namespaceObjects(ns: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: `uid-ns-${ns}`, labels: { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': ns } } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default', ns, 'PeerAuthentication'), spec: { mtls: { mode: 'STRICT' } } },
    { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: meta('default', ns, 'Sidecar'), spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] } },
    { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: meta('default', ns, 'Telemetry'), spec: { tracing: [{ randomSamplingPercentage: 1 }] } },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta('payments-api', ns, 'ServiceEntry'),
      spec: { hosts: [`payments-${ns}.example.com`], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: meta('public', ns, 'Gateway'),
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`${ns}.example.com`] }] },
    },
  ];
}

/** One application: its Service, Deployment, routing and policy; `broken` routes to a missing subset. */
function appObjects(app: string, ns: string, template: KubeObject, exposed: boolean, broken: boolean): KubeObject[] {
  const host = `${app}.${ns}.svc.cluster.local`;
  const labels = { app, version: 'v1' };
  const dep = structuredClone(template);
  dep.metadata = meta(app, ns, 'Deployment', labels);
  dep.spec = { ...(dep.spec as object), selector: { matchLabels: labels }, template: { ...(dep.spec as { template: object }).template, metadata: { labels } } };
  const http = [{
    match: [{ uri: { prefix: '/' } }],
    route: [{ destination: { host, subset: 'v1' }, weight: 90 }, { destination: { host, subset: broken ? 'v3' : 'v2' }, weight: 10 }],
    timeout: '5s',
  }];
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: meta(app, ns, 'Service', { app }), spec: { selector: { app }, ports: [{ name: 'http', port: 8080, targetPort: 9080, protocol: 'TCP' }] } },
    dep,
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta(app, ns, 'VirtualService'),
      spec: exposed ? { hosts: [`${ns}.example.com`], gateways: ['public'], http } : { hosts: [host], http },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta(app, ns, 'DestinationRule'),
      spec: { host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    },
    {
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta(app, ns, 'AuthorizationPolicy'),
      spec: { selector: { matchLabels: { app } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/frontend`] } }], to: [{ operation: { methods: ['GET', 'POST'] } }] }] },
    },
  ];
}

/** `count` objects of a consistent mesh (see the module comment), in a stable order. */
export function generatedMesh(count: number): KubeObject[] {
  const template = sharedObject('istio-samples/workloads/bookinfo.yaml', 'Deployment', 'productpage-v1');
  const out: KubeObject[] = [];
  for (let n = 0; out.length < count; n++) {
    const ns = n === 0 ? 'shop' : `team-${n}`;
    out.push(...namespaceObjects(ns));
    for (let a = 0; a < APPS_PER_NAMESPACE && out.length < count; a++) {
      out.push(...appObjects(`app-${a}`, ns, template, a === 0, n % 5 === 4 && a === APPS_PER_NAMESPACE - 1));
    }
  }
  return out.slice(0, count);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const count = Number(process.argv[2] ?? '');
  if (!Number.isInteger(count) || count <= 0) {
    console.error('usage: node dist/bench/mesh.js <objects>');
    process.exit(2);
  }
  process.stdout.write(generatedMesh(count).map((o) => stringify(o)).join('---\n'));
}
