import { Inventory } from '../inventory/inventory.js';
import { loadOrgConfig } from '../org-config.js';
import { checkObjects } from '../policy/offline.js';
import { offlineEngine } from './engine.js';
import { readManifests } from './manifests.js';
import { exitCodeFor, renderJson, renderText } from './output.js';

export interface CheckCliOptions {
  output: 'text' | 'json';
  namespace: string;
  policyBundle?: string;
  orgConfig?: string;
  schema: boolean;
  crds?: string;
  verbose?: boolean;
  exemptionNamespace?: string;
  /** A cluster snapshot (file or HTTP(S) URL): the objects are judged against the live mesh it holds. */
  snapshot?: string;
}

/** `meshguard check`: exit 0 when nothing is denied, 1 when something is, 2 on unreadable input. */
export async function runCheck(paths: string[], opts: CheckCliOptions): Promise<number> {
  const inputs = await readManifests(paths, (note) => console.error(note));
  const [engine, org, inventory] = await Promise.all([offlineEngine(opts.policyBundle), loadOrgConfig(opts.orgConfig), opts.snapshot ? snapshotInventory(opts.snapshot) : undefined]);
  const extraChecks = opts.schema ? (await import('../schema/istio-schema.js')).schemaChecker(opts.crds) : undefined;
  const results = checkObjects(engine, org, inputs, {
    namespace: opts.namespace, ...(inventory ? { inventory } : {}), ...(extraChecks ? { extraChecks } : {}), ...(opts.exemptionNamespace ? { exemptionNamespace: opts.exemptionNamespace } : {}),
  });
  console.log(opts.output === 'json' ? renderJson(results) : renderText(results, { verbose: opts.verbose }));
  return exitCodeFor(results);
}

/** The inventory of a cluster snapshot, with one line on stderr saying which snapshot and how old. */
async function snapshotInventory(source: string): Promise<Inventory> {
  const [{ readSnapshot }, { loadSnapshot }] = await Promise.all([import('../snapshot/store.js'), import('../snapshot/format.js')]);
  const outcome = await readSnapshot(source);
  if (!outcome.changed) throw new Error('unreachable: an unconditional read always returns the snapshot');
  const inventory = new Inventory();
  loadSnapshot(inventory, outcome.snapshot);
  const { digest, createdAt, objects } = outcome.snapshot.header;
  const age = Math.max(0, Math.round((Date.now() - Date.parse(createdAt)) / 1000));
  console.error(`meshguard check: judged against snapshot ${digest} (${objects} objects, taken ${createdAt}, ${age} s ago)`);
  return inventory;
}
