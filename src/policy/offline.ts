import type { AdmissionReview } from '../admission/types.js';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';
import { secretForInventory } from '../inventory/tls-facts.js';
import { MeshConfigError, type MeshFacts } from '../mesh/facts.js';
import { isMeshConfigSource, meshFactsFrom } from '../mesh/sources.js';
import type { OrgConfig } from '../org-config.js';
import { decide, judge } from './decision.js';
import type { PolicyEngine } from './engine.js';
import { inventoryData } from './engine-data.js';
import { exemptionObjectViolations } from './authorization.js';
import { DEFAULT_EXEMPTION_NAMESPACE, EXEMPTION_KIND, isExemptionObject, resourceGrants } from './exemption-grants.js';
import { Exemptions } from './exemptions.js';
import type { JudgedViolation, Violation } from './types.js';

/** Kinds that have no namespace; everything else defaults to the check namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'StorageClass', 'PriorityClass', 'IngressClass', 'GatewayClass',
]);

/** An object to check, with where it came from. */
export interface CheckInput {
  file: string;
  line: number;
  object: KubeObject;
}

/** The verdict on one object, as `meshguard check --output json` prints it. */
export interface CheckResult {
  file: string;
  line: number;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  allowed: boolean;
  /** Set when the object could not be evaluated (the message; no violations then). */
  error?: string;
  violations: Array<{
    id: string; istioCode?: string; enforcement: string; message: string; exempt: boolean; exemptReason?: string;
    /** Set when exempt: where the exemption came from, its owner and expiry (not for org-config entries). */
    exemptSource?: string; exemptOwner?: string; exemptExpires?: string;
    /** The offending field path, the fix sentence and the documentation anchor (docs/rules.md#id). */
    field?: string; fix?: string; docs?: string;
    /** When not exempt: how it could be exempted, and why an exemption naming it was ignored. */
    exemptHow?: string; exemptionNote?: string;
  }>;
}

/**
 * Kinds `meshguard check` treats as known from the files alone, like `istioctl analyze
 * --use-kube=false`: a VirtualService naming a subset that no given DestinationRule defines is
 * reported. Namespaces, Secrets and workloads are not declared: their absence from a file set says
 * nothing about the cluster.
 */
export const OFFLINE_KNOWN_KINDS = [
  'VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'EnvoyFilter',
  'PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'Telemetry',
];

export interface CheckOptions {
  namespace: string;
  /** Kinds to treat as known even when no object of them is given (default OFFLINE_KNOWN_KINDS). */
  knownKinds?: string[];
  /** Cluster objects to add to the inventory (e.g. from the API server in `audit`). */
  inventory?: Inventory;
  /** Extra checks run in TypeScript (CRD schema): violations merged with the engine's. */
  extraChecks?: (object: KubeObject) => Violation[];
  now?: Date;
  /** The operation each object is judged for (default CREATE); DELETE judges removing the object. */
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  /** On UPDATE, the stored version the first object replaces (the AdmissionReview's oldObject). */
  oldObject?: KubeObject;
  /** Trim objects to the fields rules read before the engine gets them (default true; tests compare). */
  trim?: boolean;
  /** Namespace whose Exemption objects count (default meshguard-system); given Exemptions without one go there. */
  exemptionNamespace?: string;
}

/** Gives namespaced objects without a namespace the default one (a copy; the input is not changed). */
export function withNamespace(object: KubeObject, namespace: string): KubeObject {
  if (!object.kind || CLUSTER_SCOPED.has(object.kind) || object.metadata?.namespace) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/**
 * The AdmissionReview the API server would send for writing this object (CREATE, UPDATE with the
 * stored version `oldObject`), or for deleting it (DELETE: oldObject is the object, object null).
 */
export function reviewFor(object: KubeObject, uid: string, operation: 'CREATE' | 'UPDATE' | 'DELETE' = 'CREATE', dryRun = true, oldObject?: KubeObject): AdmissionReview {
  const deleting = operation === 'DELETE';
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion as string).split('/') : ['', object.apiVersion ?? 'v1'];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid, kind: { group: group ?? '', version: version ?? 'v1', kind: object.kind ?? '' },
      namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '', operation,
      userInfo: { username: 'meshguard-check' },
      object: deleting ? null : object, oldObject: deleting ? object : (oldObject ?? null), dryRun,
    },
  };
}

/**
 * Evaluates manifests with the same engine and decision mapping as the webhook. The objects given
 * together are the inventory for cross-resource rules (like `istioctl analyze --use-kube=false`);
 * a given Secret enters it as metadata plus its TLS facts at `now` (never its data).
 */
export function checkObjects(engine: PolicyEngine, org: OrgConfig, inputs: CheckInput[], opts: CheckOptions): CheckResult[] {
  const exemptionNamespace = opts.exemptionNamespace ?? DEFAULT_EXEMPTION_NAMESPACE;
  const objects = inputs.map((i) => withNamespace(i.object, isExemptionObject(i.object) ? exemptionNamespace : opts.namespace));
  const inventory = new Inventory();
  for (const kind of opts.knownKinds ?? OFFLINE_KNOWN_KINDS) inventory.declareKind(kind);
  for (const kind of opts.inventory?.kinds() ?? []) inventory.declareKind(kind);
  for (const o of opts.inventory ? listAll(opts.inventory) : []) inventory.upsert(o);
  const now = opts.now ?? new Date();
  for (const o of objects) inventory.upsert(o.kind === 'Secret' ? secretForInventory(o, now) : o);
  for (const [kind, namespaces] of Object.entries(opts.inventory?.scopes() ?? {})) inventory.scopeKind(kind, namespaces);
  const meshConfig = offlineMeshFacts(listAll(inventory));
  engine.setData({ config: org.raw, ...inventoryData(inventory, { trim: opts.trim ?? true }), scopes: inventory.scopes(), meshConfig });
  const exemptions = new Exemptions(org.exemptions);
  const resources = resourceGrants(inventory.list(EXEMPTION_KIND, exemptionNamespace), exemptionNamespace);
  const authz = { exemptions: org.exemptions, exemptionNamespace, knownRules: new Set(Object.keys(engine.catalog)), now };
  return objects.map((object, i) => {
    const input = inputs[i] as CheckInput;
    const review = reviewFor(object, `check-${i}`, opts.operation, true, i === 0 ? opts.oldObject : undefined);
    let found: Violation[];
    try {
      found = [...engine.evaluate(review), ...(opts.extraChecks?.(object) ?? [])];
    } catch (err) {
      return { ...toResult(input, object, []), allowed: false, error: describeError(err) };
    }
    // Exemption objects are validated as the webhook validates them; annotations count as found (audit).
    if (isExemptionObject(object)) found.push(...exemptionObjectViolations(object, undefined, authz));
    const namespace = object.metadata?.namespace ?? '';
    const judged = judge(found, { object, namespace, exemptions, catalog: engine.catalog, now, resources, exemptionNamespace });
    return toResult(input, object, judged);
  });
}

/**
 * Istio's mesh config from the given objects (the istio and istio-sidecar-injector ConfigMaps, an
 * IstioOperator); a ConfigMap that cannot be read fails the check as unreadable input.
 */
function offlineMeshFacts(objects: KubeObject[]): MeshFacts {
  try {
    return meshFactsFrom(objects.filter(isMeshConfigSource));
  } catch (err) {
    if (err instanceof MeshConfigError) throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `cannot read Istio's mesh config: ${err.message}`);
    throw err;
  }
}

function listAll(inventory: Inventory): KubeObject[] {
  return inventory.kinds().flatMap((kind) => inventory.list(kind));
}

function toResult(input: CheckInput, object: KubeObject, judged: JudgedViolation[]): CheckResult {
  return {
    file: input.file, line: input.line, apiVersion: object.apiVersion ?? '', kind: object.kind ?? '',
    namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '',
    allowed: decide(judged).allowed,
    violations: judged.map((v) => ({
      id: v.id, ...(v.istioCode ? { istioCode: v.istioCode } : {}), enforcement: v.enforcement, message: v.message,
      exempt: Boolean(v.exempt), ...(v.exempt ? { exemptReason: v.exempt } : {}),
      ...(v.exemption ? { exemptSource: v.exemption.source } : {}),
      ...(v.exemption?.owner ? { exemptOwner: v.exemption.owner } : {}),
      ...(v.exemption?.expires ? { exemptExpires: v.exemption.expires } : {}),
      ...(v.field ? { field: v.field } : {}), ...(v.fix ? { fix: v.fix } : {}), ...(v.docs ? { docs: v.docs } : {}),
      ...(v.exemptHow ? { exemptHow: v.exemptHow } : {}), ...(v.exemptionNote ? { exemptionNote: v.exemptionNote } : {}),
    })),
  };
}
