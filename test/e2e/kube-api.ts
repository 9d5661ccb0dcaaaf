import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/inventory/objects.js';
import { FIELD_MANAGER } from './apiserver.js';

/** A Kubernetes Status as the API server answers a rejected request. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure';
  message: string;
  reason?: string;
  details?: unknown;
  code: number;
}

/** Runs a request that must fail and returns the Status the API server answered with. */
export async function rejection(request: Promise<unknown>): Promise<Status> {
  try {
    await request;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw err;
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as Status) : (e.body as Status);
    return body;
  }
  throw new Error('the API server accepted the request');
}

/** Group, version and plural of the Istio kinds the tests write. */
export const ISTIO = {
  PeerAuthentication: { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications' },
  AuthorizationPolicy: { group: 'security.istio.io', version: 'v1', plural: 'authorizationpolicies' },
  VirtualService: { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' },
  DestinationRule: { group: 'networking.istio.io', version: 'v1', plural: 'destinationrules' },
  Gateway: { group: 'networking.istio.io', version: 'v1', plural: 'gateways' },
  Sidecar: { group: 'networking.istio.io', version: 'v1', plural: 'sidecars' },
  ServiceEntry: { group: 'networking.istio.io', version: 'v1', plural: 'serviceentries' },
  Telemetry: { group: 'telemetry.istio.io', version: 'v1', plural: 'telemetries' },
} as const;

export type IstioKind = keyof typeof ISTIO;

/** An Istio object of `kind` in `namespace` (apiVersion filled in). */
export function istio(kind: IstioKind, namespace: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  const r = ISTIO[kind];
  return { apiVersion: `${r.group}/${r.version}`, kind, metadata: { name, namespace, ...metadata }, spec };
}

/** Creates an Istio object as `kubectl create` does; returns the stored object and the response headers. */
export async function createIstio(kc: KubeConfig, object: KubeObject, opts: { dryRun?: boolean } = {}): Promise<{ object: KubeObject; headers: Record<string, string> }> {
  const r = ISTIO[object.kind as IstioKind];
  const info = await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObjectWithHttpInfo({
    group: r.group, version: r.version, plural: r.plural, namespace: object.metadata?.namespace ?? '', body: object,
    fieldManager: FIELD_MANAGER, ...(opts.dryRun ? { dryRun: 'All' } : {}),
  });
  return { object: info.data as KubeObject, headers: info.headers as unknown as Record<string, string> };
}

/** Reads an Istio object; undefined on 404. */
export async function getIstio(kc: KubeConfig, kind: IstioKind, namespace: string, name: string): Promise<KubeObject | undefined> {
  const r = ISTIO[kind];
  try {
    return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: r.group, version: r.version, plural: r.plural, namespace, name })) as KubeObject;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/**
 * The texts of an HTTP `Warning` header (RFC 7234: `299 - "text"`, several joined by ", " when the
 * client folds repeated headers).
 */
export function warningTexts(header: string | undefined): string[] {
  if (!header) return [];
  const out: string[] = [];
  const re = /\d{3} \S+ "((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
  return out;
}

/** Keeps only the fields a test writes, dropping what the API server adds (uid, timestamps, managedFields). */
export function userView(object: KubeObject | undefined): KubeObject | undefined {
  if (!object) return undefined;
  const { uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, managedFields: _m, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}
