/**
 * Where Istio's mesh config comes from: its ConfigMaps (in a cluster, from informers limited to
 * those names in the root namespace; offline, from the files given to `check`) or an
 * `IstioOperator` given to `check`. A ConfigMap wins over an IstioOperator for the keys it sets.
 */
import { parse as parseYaml } from 'yaml';
import { isRecord, type KubeObject } from '../inventory/objects.js';
import { INJECTOR_CONFIGMAP, MESH_CONFIGMAP, MeshConfigError, factsFromMeshConfig, injectorSettings, type MeshFacts } from './facts.js';

function data(cm: KubeObject): Record<string, unknown> {
  return isRecord(cm.data) ? cm.data : {};
}

function parseMapping(text: unknown, where: string): Record<string, unknown> {
  if (text === undefined) return {};
  if (typeof text !== 'string') throw new MeshConfigError(`${where} must be a string`);
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new MeshConfigError(`${where} is not valid YAML: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : 'unreadable'}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isRecord(parsed)) throw new MeshConfigError(`${where} must be a YAML mapping`);
  return parsed;
}

const where = (o: KubeObject, key: string): string => `ConfigMap ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''} key ${key}`;

/** The facts of the `istio` ConfigMap (key `mesh`). */
export function factsFromMeshConfigMap(cm: KubeObject): MeshFacts {
  return factsFromMeshConfig(parseMapping(data(cm).mesh, where(cm, 'mesh')));
}

/** The injector settings of the `istio-sidecar-injector` ConfigMap (key `config`, YAML; `values`, JSON). */
export function factsFromInjectorConfigMap(cm: KubeObject): MeshFacts {
  const config = parseMapping(data(cm).config, where(cm, 'config'));
  const values = parseMapping(data(cm).values, where(cm, 'values'));
  const injector = injectorSettings(config) ?? injectorFromValues(values);
  return injector ? { injector } : {};
}

function injectorFromValues(values: Record<string, unknown>): MeshFacts['injector'] {
  const webhook = isRecord(values.sidecarInjectorWebhook) ? values.sidecarInjectorWebhook : {};
  const global = isRecord(values.global) ? values.global : {};
  const proxy = isRecord(global.proxy) ? global.proxy : {};
  return injectorSettings({ ...webhook, ...(proxy.autoInject !== undefined ? { policy: proxy.autoInject } : {}) });
}

/** The facts of an IstioOperator: spec.meshConfig and spec.values (sidecarInjectorWebhook, global.proxy.autoInject). */
export function factsFromIstioOperator(iop: KubeObject): MeshFacts {
  const spec = isRecord(iop.spec) ? iop.spec : {};
  const facts = factsFromMeshConfig(isRecord(spec.meshConfig) ? spec.meshConfig : {});
  const injector = injectorFromValues(isRecord(spec.values) ? spec.values : {});
  return injector ? { ...facts, injector } : facts;
}

/** True for the objects that carry Istio's mesh config. */
export function isMeshConfigSource(o: KubeObject): boolean {
  if (o.kind === 'IstioOperator') return true;
  return o.kind === 'ConfigMap' && (o.metadata?.name === MESH_CONFIGMAP || o.metadata?.name === INJECTOR_CONFIGMAP);
}

/**
 * The mesh facts of a set of objects: IstioOperators first, then the `istio` and
 * `istio-sidecar-injector` ConfigMaps over them (in `rootNamespace` when given, else any
 * namespace). Throws {@link MeshConfigError} naming the object and key that cannot be read.
 */
export function meshFactsFrom(objects: readonly KubeObject[], rootNamespace?: string): MeshFacts {
  const inRoot = (o: KubeObject): boolean => rootNamespace === undefined || o.metadata?.namespace === rootNamespace;
  let facts: MeshFacts = {};
  for (const o of objects) if (o.kind === 'IstioOperator') facts = { ...facts, ...factsFromIstioOperator(o) };
  for (const o of objects) {
    if (o.kind !== 'ConfigMap' || !inRoot(o)) continue;
    if (o.metadata?.name === MESH_CONFIGMAP) facts = { ...facts, ...factsFromMeshConfigMap(o) };
    if (o.metadata?.name === INJECTOR_CONFIGMAP) facts = { ...facts, ...factsFromInjectorConfigMap(o) };
  }
  return facts;
}
