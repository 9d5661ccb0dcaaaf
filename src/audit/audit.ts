import { DEFAULT_ISTIO_ROOT_NAMESPACE } from '../mesh/facts.js';
import type { OrgConfig } from '../org-config.js';
import type { PolicyEngine } from '../policy/engine.js';
import { DEFAULT_EXEMPTION_NAMESPACE, EXEMPTION_KIND } from '../policy/exemption-grants.js';
import { checkObjects, type CheckResult } from '../policy/offline.js';
import type { RuleCatalog } from '../policy/types.js';
import { KubeApiError, METADATA_LIST_ACCEPT, type KubeHttp } from '../kube/client.js';
import { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';
import { collectionPath, INVENTORY_KINDS, RESOURCES, resolveResources, type ResourceSpec, type ServedResource } from '../kube/resources.js';
import { stripObject } from '../kube/strip.js';

/** The `file` of a result that came from the cluster (text output prints it in parentheses). */
export const CLUSTER_SOURCE = 'cluster';

/**
 * The kinds the rules of a catalog judge when objects are written (their METADATA `kinds`); rules
 * that only judge changes and deletions (METADATA `operations` without CREATE) have nothing to say
 * about an object as it stands.
 */
export function judgedKinds(catalog: RuleCatalog): string[] {
  const kinds = new Set<string>();
  for (const rule of Object.values(catalog)) {
    if (rule.operations && !rule.operations.includes('CREATE')) continue;
    for (const k of rule.kinds ?? []) kinds.add(k);
  }
  return [...kinds].sort();
}

/** What was read from the cluster for an audit. */
export interface ClusterSnapshot {
  /** Objects of the judged kinds (in the namespace, when one is given). */
  judged: KubeObject[];
  /** Every object read, judged kinds included: the inventory cross-resource rules see. */
  inventory: Inventory;
  /** One line per kind that could not be read or is unknown, for stderr. */
  notes: string[];
}

/**
 * Reads what an audit needs: the objects of every judged kind (in `namespace` when given) and the
 * inventory kinds cluster-wide (falling back to `namespace` when the caller may only read that
 * one), the Exemption objects of `exemptionNamespace`, and Istio's mesh config ConfigMaps of
 * `istioRootNamespace`. Secrets are read as metadata only. A kind the server does not serve, or the caller may not
 * list, is noted and skipped; an unreachable API server throws MG_ERR_KUBE_UNREACHABLE.
 */
export async function readCluster(http: KubeHttp, catalog: RuleCatalog, opts: { namespace?: string; exemptionNamespace?: string; istioRootNamespace?: string } = {}): Promise<ClusterSnapshot> {
  const judged = new Set(judgedKinds(catalog));
  const notes: string[] = [];
  const specs: ResourceSpec[] = [];
  for (const kind of new Set([...judged, ...INVENTORY_KINDS])) {
    const spec = RESOURCES[kind];
    if (spec) specs.push(spec);
    else notes.push(`${kind}: no API mapping known to meshguard; not audited`);
  }
  const { served, missing } = await resolveResources(http, specs);
  for (const m of missing) notes.push(`${m.kind}: not served by the API server; skipped`);
  const inventory = new Inventory();
  const out: KubeObject[] = [];
  for (const r of served) {
    const clusterWide = !judged.has(r.kind) || !opts.namespace;
    const objects = r.kind === EXEMPTION_KIND
      ? await listKind(http, r, opts.exemptionNamespace ?? DEFAULT_EXEMPTION_NAMESPACE, undefined, notes)
      : r.names
        ? (await listKind(http, r, opts.istioRootNamespace ?? DEFAULT_ISTIO_ROOT_NAMESPACE, undefined, notes))?.filter((o) => r.names?.includes(o.metadata?.name ?? ''))
        : await listKind(http, r, clusterWide ? undefined : opts.namespace, opts.namespace, notes);
    if (!objects) continue;
    inventory.replaceKind(r.kind, objects);
    if (judged.has(r.kind)) out.push(...objects.filter((o) => inScope(o, r, opts.namespace)));
  }
  return { judged: out, inventory, notes };
}

/** With a namespace: its namespaced objects, and of the cluster-scoped ones only that Namespace itself. */
function inScope(o: KubeObject, r: ServedResource, namespace: string | undefined): boolean {
  if (!namespace) return true;
  if (r.namespaced) return o.metadata?.namespace === namespace;
  return r.kind === 'Namespace' && o.metadata?.name === namespace;
}

async function listKind(http: KubeHttp, r: ServedResource, namespace: string | undefined, fallbackNamespace: string | undefined, notes: string[]): Promise<KubeObject[] | undefined> {
  const objects: KubeObject[] = [];
  const read = (ns: string | undefined): Promise<string> => http.list(collectionPath(r, ns), (items) => {
    for (const item of items) objects.push(stripObject(item, r));
  }, { accept: r.metadataOnly ? METADATA_LIST_ACCEPT : undefined });
  try {
    await read(namespace);
    return objects;
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.status !== 403) throw err;
    if (namespace === undefined && fallbackNamespace && r.namespaced) {
      try {
        await read(fallbackNamespace);
        notes.push(`${r.kind}: may not list cluster-wide; read namespace ${fallbackNamespace} only`);
        return objects;
      } catch (inner) {
        if (!(inner instanceof KubeApiError) || inner.status !== 403) throw inner;
      }
    }
    notes.push(`${r.kind}: forbidden to list (${err.message}); skipped`);
    return undefined;
  }
}

/**
 * Judges existing objects with the same engine, exemptions and decision mapping as the webhook
 * (via `checkObjects`, as a CREATE), with `inventory` as the cluster view and the Exemption objects
 * it holds in `exemptionNamespace`. Exemption annotations are honoured as found: objects written
 * through the webhook had them checked when they were written; objects that existed before
 * meshguard was installed are honoured as found too (locked rules and the horizon still apply).
 * Results are sorted by kind, namespace and name, and carry `file: "cluster"`.
 */
export function auditObjects(engine: PolicyEngine, org: OrgConfig, objects: KubeObject[], inventory: Inventory, now?: Date, exemptionNamespace?: string): CheckResult[] {
  const sorted = [...objects].sort((a, b) => key(a).localeCompare(key(b)));
  const inputs = sorted.map((object) => ({ file: CLUSTER_SOURCE, line: 0, object }));
  // Known kinds are exactly those read from the cluster (declared even when empty), not check's defaults.
  return checkObjects(engine, org, inputs, {
    namespace: 'default', inventory, knownKinds: [], operation: 'CREATE', ...(now ? { now } : {}), ...(exemptionNamespace ? { exemptionNamespace } : {}),
  });
}

function key(o: KubeObject): string {
  return `${o.kind ?? ''}\u0000${o.metadata?.namespace ?? ''}\u0000${o.metadata?.name ?? ''}`;
}

/** The objects of judged kinds the inventory holds: what the periodic audit in `serve` sees. */
export function judgedFromInventory(catalog: RuleCatalog, inventory: Inventory): KubeObject[] {
  return judgedKinds(catalog).flatMap((kind) => inventory.list(kind));
}

/** Violation counts by rule, enforcement and exemption: the `meshguard_audit_violations` gauge. */
export function countViolations(results: CheckResult[]): Map<string, { rule: string; enforcement: string; exempt: string; count: number }> {
  const counts = new Map<string, { rule: string; enforcement: string; exempt: string; count: number }>();
  for (const r of results) {
    for (const v of r.violations) {
      const exempt = String(v.exempt);
      const k = `${v.id}|${v.enforcement}|${exempt}`;
      const entry = counts.get(k) ?? { rule: v.id, enforcement: v.enforcement, exempt, count: 0 };
      entry.count++;
      counts.set(k, entry);
    }
  }
  return counts;
}
