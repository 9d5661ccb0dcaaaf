/**
 * Lookups over the inventory that the rules would otherwise compute by scanning every object of a
 * kind on every admission (`data.meshguard.index[kind]`, built in TypeScript once per change of
 * the kind). Rego reads them through lib functions (policies/lib/workloads.rego `selected_by`),
 * which fall back to scanning when no index is given (Rego unit tests), with the same answers.
 */
import type { KubeObject } from '../inventory/objects.js';

/** Kinds whose pod labels an Istio workload selector is matched against (workloads.rego). */
export const SELECTABLE_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

/** A workload as workloads.rego's `workload_entry` describes it. */
export interface WorkloadEntry {
  kind: string;
  name: string;
  namespace: string;
  labels: Record<string, unknown>;
}

/** One distinct pod label set of a selectable kind: how many workloads carry it, in all and per namespace. */
export interface LabelSet {
  labels: Record<string, unknown>;
  count: number;
  namespaces: Record<string, number>;
}

/**
 * A label set with more string labels than this is left out of `setsByPair` (it would add
 * n(n-1)/2 pairs) and listed in `unpaired`, a candidate of every pair lookup instead.
 */
export const MAX_PAIRED_LABELS = 10;

/**
 * The index of one selectable kind: how many objects it has (in all and per namespace), its
 * workloads by pod label (`labels[key][value]`, each list in namespace then name order, as a scan
 * would meet them), and its distinct pod label sets (`sets`) by label (`setsByLabel[key][value]`)
 * and by pair of labels (`setsByPair[key1][value1][key2][value2]`, key1 < key2), as positions in
 * `sets`, so that "does a workload carry these labels" reads one or a few sets whatever the
 * number of workloads. Only string label values are looked up.
 */
export interface WorkloadIndex {
  count: number;
  namespaces: Record<string, number>;
  labels: Record<string, Record<string, WorkloadEntry[]>>;
  sets: LabelSet[];
  setsByLabel: Record<string, Record<string, number[]>>;
  setsByPair: Record<string, Record<string, Record<string, Record<string, number[]>>>>;
  unpaired: number[];
}

function asObject(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** Labels of the object's pod template (the Pod's own for a Pod), {} when absent or not a map. */
export function podLabels(kind: string, o: KubeObject): Record<string, unknown> {
  const meta = kind === 'Pod' ? asObject(o.metadata) : asObject(asObject(asObject(asObject(o.spec).template).metadata));
  return asObject(meta.labels);
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/**
 * Rego's order of strings (by UTF-8 bytes, i.e. code points), which a pair's key1 < key2 follows.
 * Below U+D800 (no surrogate pairs) it is the order of UTF-16 code units, JavaScript's.
 */
const byRegoKey = (a: string, b: string): number =>
  /[\uD800-\uFFFF]/.test(a) || /[\uD800-\uFFFF]/.test(b) ? Buffer.compare(Buffer.from(a), Buffer.from(b)) : byKey(a, b);

function workloadIndex(kind: string, byNamespace: Record<string, Record<string, KubeObject>>): WorkloadIndex {
  const index: WorkloadIndex = { count: 0, namespaces: {}, labels: {}, sets: [], setsByLabel: {}, setsByPair: {}, unpaired: [] };
  const setIds = new Map<string, number>();
  eachObject(byNamespace, (o, [ns]) => {
    index.count++;
    index.namespaces[ns] = (index.namespaces[ns] ?? 0) + 1;
    const labels = podLabels(kind, o);
    const entry = { kind, name: String(o.metadata?.name ?? ''), namespace: String(o.metadata?.namespace ?? ''), labels };
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value !== 'string') continue;
      const values = (index.labels[key] ??= {});
      (values[value] ??= []).push(entry);
    }
    const set = index.sets[labelSetId(index, setIds, labels)] as LabelSet;
    set.count++;
    set.namespaces[entry.namespace] = (set.namespaces[entry.namespace] ?? 0) + 1;
  });
  return index;
}

/**
 * A label map's set key and its string labels in Rego's key order, kept per map: a rebuild after
 * one change meets the same objects again.
 */
const labelSets = new WeakMap<object, { key: string; strings: Array<[string, string]> }>();

function labelSetOf(labels: Record<string, unknown>): { key: string; strings: Array<[string, string]> } {
  let set = labelSets.get(labels);
  if (set === undefined) {
    const entries = Object.entries(labels).sort(([a], [b]) => byRegoKey(a, b));
    set = { key: JSON.stringify(entries), strings: entries.filter((e): e is [string, string] => typeof e[1] === 'string') };
    labelSets.set(labels, set);
  }
  return set;
}

/** The position of a label set in index.sets, adding it (and its label and pair lookups) when new. */
function labelSetId(index: WorkloadIndex, ids: Map<string, number>, labels: Record<string, unknown>): number {
  const { key, strings } = labelSetOf(labels);
  const known = ids.get(key);
  if (known !== undefined) return known;
  const id = index.sets.length;
  ids.set(key, id);
  index.sets.push({ labels, count: 0, namespaces: {} });
  for (const [k, v] of strings) ((index.setsByLabel[k] ??= {})[v] ??= []).push(id);
  if (strings.length > MAX_PAIRED_LABELS) {
    index.unpaired.push(id);
    return id;
  }
  for (let i = 0; i < strings.length - 1; i++) {
    const [k1, v1] = strings[i] as [string, string];
    const byValue = ((index.setsByPair[k1] ??= {})[v1] ??= {});
    for (const [k2, v2] of strings.slice(i + 1)) ((byValue[k2] ??= {})[v2] ??= []).push(id);
  }
  return id;
}

/**
 * The index of a kind whose objects declare hosts (`spec.hosts`): the objects by each host as
 * written (`hosts[host]`, `[namespace, name]` pairs) and those with a wildcard host. Rules resolve
 * hosts themselves (short names, the cluster domain): lib.with_host looks up the written forms a
 * resolved host can come from and checks every candidate as a scan would.
 */
export interface HostIndex {
  hosts: Record<string, Array<[string, string]>>;
  wildcards: Array<[string, string]>;
}

/** Kinds indexed by their hosts (a DestinationRule's one spec.host is its hosts). */
export const HOST_KINDS = ['VirtualService', 'ServiceEntry', 'DestinationRule'];

/** The elements of an array or the values of an object, as Rego's `some x in v` meets them. */
function members(v: unknown): unknown[] {
  return Array.isArray(v) ? v : Object.values(asObject(v));
}

function specHosts(spec: Record<string, unknown>): unknown[] {
  return members(spec.hosts);
}

/** Calls visit for every object of a kind, in namespace then name order, with its [namespace, name]. */
function eachObject(byNamespace: Record<string, Record<string, KubeObject>>, visit: (o: KubeObject, ref: [string, string]) => void): void {
  for (const ns of Object.keys(byNamespace).sort(byKey)) {
    const names = byNamespace[ns] ?? {};
    for (const name of Object.keys(names).sort(byKey)) visit(names[name] as KubeObject, [ns, name]);
  }
}

function addHosts(index: HostIndex, hosts: unknown[], ref: [string, string]): void {
  let wildcard = false;
  for (const host of new Set(hosts.filter((h): h is string => typeof h === 'string'))) {
    (index.hosts[host] ??= []).push(ref);
    wildcard ||= host.startsWith('*');
  }
  if (wildcard) index.wildcards.push(ref);
}

function hostIndex(byNamespace: Record<string, Record<string, KubeObject>>, hostsOf = specHosts): HostIndex {
  const index: HostIndex = { hosts: {}, wildcards: [] };
  eachObject(byNamespace, (o, ref) => addHosts(index, hostsOf(asObject(o.spec)), ref));
  return index;
}

/**
 * The VirtualService index adds who refers to what, for the rules that judge the UPDATE or DELETE
 * of a referenced object (policies/lib/references.rego): `destinations[host]` lists the
 * VirtualServices with a route or mirror destination host as written that is not one of their
 * own spec.hosts (`hosts[host]` lists those), `gateways[namespace][name]` those with a spec.gateways entry naming that Gateway
 * ("ns/name", "name" or "name.ns...", as networking.gateway_ref reads it).
 */
export interface VirtualServiceIndex extends HostIndex {
  destinations: Record<string, Array<[string, string]>>;
  gateways: Record<string, Record<string, Array<[string, string]>>>;
}

/** The destination hosts of a VirtualService spec, where routing.destinations_of reads them. */
function destinationHosts(spec: Record<string, unknown>): unknown[] {
  const hosts: unknown[] = [];
  for (const section of ['http', 'tcp', 'tls']) {
    for (const rule of members(spec[section]).map(asObject)) {
      for (const route of members(rule.route)) hosts.push(asObject(asObject(route).destination).host);
      if (section !== 'http') continue;
      hosts.push(asObject(rule.mirror).host);
      for (const mirror of members(rule.mirrors)) hosts.push(asObject(asObject(mirror).destination).host);
    }
  }
  return hosts;
}

/** Appends ref to map[key] once (an object's refs are appended one after another); a key that is not a string is skipped. */
function addRef(map: Record<string, Array<[string, string]>>, key: unknown, ref: [string, string]): void {
  if (typeof key !== 'string') return;
  const refs = (map[key] ??= []);
  if (refs[refs.length - 1] !== ref) refs.push(ref);
}

/**
 * The Gateway a VirtualService of namespace ns refers to, as networking.gateway_ref reads the
 * reference: "ns/name", "name.ns[.svc.cluster.local]" or "name" (namespace ns).
 */
function gatewayKey(ref: string, ns: string): [string, string] {
  if (ref.includes('/')) {
    const parts = ref.split('/');
    return [parts[0] as string, parts[1] as string];
  }
  if (ref.includes('.')) {
    const parts = ref.split('.');
    return [parts[1] as string, parts[0] as string];
  }
  return [ns, ref];
}

/** What a VirtualService refers to, kept per object: a rebuild after one change meets the same objects again. */
const referencesCache = new WeakMap<KubeObject, { hosts: unknown[]; gateways: Array<[string, string]> }>();

function referencesOf(vs: KubeObject, ns: string): { hosts: unknown[]; gateways: Array<[string, string]> } {
  let refers = referencesCache.get(vs);
  if (refers === undefined) {
    const spec = asObject(vs.spec);
    const gateways = members(spec.gateways).filter((g): g is string => typeof g === 'string').map((g) => gatewayKey(g, ns));
    const own = new Set(specHosts(spec));
    refers = { hosts: destinationHosts(spec).filter((h) => !own.has(h)), gateways };
    referencesCache.set(vs, refers);
  }
  return refers;
}

function virtualServiceIndex(byNamespace: Record<string, Record<string, KubeObject>>): VirtualServiceIndex {
  const index: VirtualServiceIndex = { hosts: {}, wildcards: [], destinations: {}, gateways: {} };
  eachObject(byNamespace, (o, ref) => {
    addHosts(index, specHosts(asObject(o.spec)), ref);
    const refers = referencesOf(o, ref[0]);
    for (const host of refers.hosts) addRef(index.destinations, host, ref);
    for (const [gwNamespace, gwName] of refers.gateways) addRef((index.gateways[gwNamespace] ??= {}), gwName, ref);
  });
  return index;
}

/**
 * The index of Istio Gateways by what two Gateways must share to conflict: a host of a server
 * (`hosts[host]`, as written) and a certificate (`certificates[value]`: a server's
 * tls.credentialName or tls.serverCertificate).
 */
export interface GatewayIndex {
  hosts: Record<string, Array<[string, string]>>;
  certificates: Record<string, Array<[string, string]>>;
}

function gatewayIndex(byNamespace: Record<string, Record<string, KubeObject>>): GatewayIndex {
  const index: GatewayIndex = { hosts: {}, certificates: {} };
  eachObject(byNamespace, (o, ref) => {
    const servers = asObject(o.spec).servers;
    for (const server of Array.isArray(servers) ? servers.map(asObject) : []) {
      for (const host of members(server.hosts)) addRef(index.hosts, host, ref);
      const tls = asObject(server.tls);
      addRef(index.certificates, tls.credentialName, ref);
      addRef(index.certificates, tls.serverCertificate, ref);
    }
  });
  return index;
}

/** The index of one kind's objects (`{namespace: {name: object}}`), or undefined for kinds without one. */
export function indexOf(kind: string, byNamespace: Record<string, Record<string, KubeObject>>): unknown {
  if (SELECTABLE_KINDS.includes(kind)) return workloadIndex(kind, byNamespace);
  if (kind === 'VirtualService') return virtualServiceIndex(byNamespace);
  if (kind === 'DestinationRule') return hostIndex(byNamespace, (spec) => [spec.host]);
  if (HOST_KINDS.includes(kind)) return hostIndex(byNamespace);
  if (kind === 'Gateway') return gatewayIndex(byNamespace);
  return undefined;
}
