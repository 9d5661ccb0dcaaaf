import { mutationEnvOf } from '../../src/admission/mutate.js';
import { offlineEngine } from '../../src/cli/engine.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { INVENTORY_KINDS } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { mutateManifests } from '../../src/mutation/offline.js';
import { loadOrgConfig } from '../../src/org-config.js';
import { decide } from '../../src/policy/decision.js';
import { checkObjects, type CheckResult } from '../../src/policy/offline.js';
import type { Enforcement, JudgedViolation } from '../../src/policy/types.js';
import { builtinBundle } from '../support/paths.js';

/**
 * What the webhook should answer (every kind its informers watch is known, as in the webhook), computed offline with the same bundle, org config and decision
 * mapping (`meshguard check` / `meshguard mutate`) over the objects the cluster holds. The e2e
 * tests assert that the API server's answers equal these exactly, so they test the path through
 * the API server without copying rule texts that other rule authors own.
 */
export async function expectedVerdict(object: KubeObject, cluster: KubeObject[]): Promise<{ allowed: boolean; message?: string; warnings: string[]; ids: string[] }> {
  const [engine, org] = await Promise.all([offlineEngine(builtinBundle), loadOrgConfig()]);
  const inventory = new Inventory();
  for (const o of cluster) inventory.upsert(o);
  const [result] = checkObjects(engine, org, [{ file: 'e2e', line: 1, object }], { namespace: object.metadata?.namespace ?? 'default', inventory, knownKinds: [...INVENTORY_KINDS] });
  if (!result) throw new Error('no result');
  if (result.error) throw new Error(result.error);
  const judged: JudgedViolation[] = result.violations.map((v) => ({
    id: v.id, message: v.message, enforcement: v.enforcement as Enforcement, details: {},
    ...(v.istioCode ? { istioCode: v.istioCode } : {}), ...(v.field ? { field: v.field } : {}), ...(v.fix ? { fix: v.fix } : {}), ...(v.docs ? { docs: v.docs } : {}),
    ...(v.exemptHow ? { exemptHow: v.exemptHow } : {}), ...(v.exemptionNote ? { exemptionNote: v.exemptionNote } : {}),
    ...(v.exempt ? { exempt: v.exemptReason ?? 'exempt' } : {}),
  }));
  const decision = decide(judged, { kind: result.kind, namespace: result.namespace, name: result.name });
  return {
    allowed: decision.allowed, ...(decision.status ? { message: decision.status.message } : {}), warnings: decision.warnings,
    ids: result.violations.filter((v) => !v.exempt).map((v) => v.id),
  };
}

/** The object as the mutating webhook should return it (CREATE), given the cluster's objects. */
export async function expectedMutation(object: KubeObject, cluster: KubeObject[]): Promise<KubeObject> {
  const org = await loadOrgConfig();
  const inventory = new Inventory();
  for (const o of cluster) inventory.upsert(o);
  const [outcome] = mutateManifests([{ object, file: 'e2e' }], mutationEnvOf(org, inventory), { namespace: object.metadata?.namespace ?? 'default' });
  if (!outcome) throw new Error('no outcome');
  return outcome.mutated;
}

/** The violations `meshguard check` finds for one object, given the cluster's objects and known kinds. */
export async function expectedViolations(object: KubeObject, cluster: KubeObject[], knownKinds: string[]): Promise<CheckResult['violations']> {
  const [engine, org] = await Promise.all([offlineEngine(builtinBundle), loadOrgConfig()]);
  const inventory = new Inventory();
  for (const o of cluster) inventory.upsert(o);
  const [result] = checkObjects(engine, org, [{ file: 'e2e', line: 1, object }], { namespace: object.metadata?.namespace ?? 'default', inventory, knownKinds });
  if (!result || result.error) throw new Error(result?.error ?? 'no result');
  return result.violations;
}
