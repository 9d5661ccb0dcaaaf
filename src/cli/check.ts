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
}

/** `meshguard check`: exit 0 when nothing is denied, 1 when something is, 2 on unreadable input. */
export async function runCheck(paths: string[], opts: CheckCliOptions): Promise<number> {
  const inputs = await readManifests(paths, (note) => console.error(note));
  const [engine, org] = await Promise.all([offlineEngine(opts.policyBundle), loadOrgConfig(opts.orgConfig)]);
  const extraChecks = opts.schema ? (await import('../schema/istio-schema.js')).schemaChecker(opts.crds) : undefined;
  const results = checkObjects(engine, org, inputs, {
    namespace: opts.namespace, ...(extraChecks ? { extraChecks } : {}), ...(opts.exemptionNamespace ? { exemptionNamespace: opts.exemptionNamespace } : {}),
  });
  console.log(opts.output === 'json' ? renderJson(results) : renderText(results, { verbose: opts.verbose }));
  return exitCodeFor(results);
}
