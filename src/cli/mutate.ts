import { stringify } from 'yaml';
import { mutationEnvOf } from '../admission/mutate.js';
import { mutateManifests } from '../mutation/index.js';
import { isMeshConfigSource, meshFactsFrom } from '../mesh/sources.js';
import { loadOrgConfig, withMutation } from '../org-config.js';
import { withNamespace } from '../policy/offline.js';
import { readManifests } from './manifests.js';
import { EXIT } from './output.js';

export interface MutateCliOptions {
  output: 'yaml' | 'json' | 'patch';
  namespace: string;
  orgConfig?: string;
  templates?: boolean;
}

/**
 * `meshguard mutate`: runs the webhook's mutators over manifests (the files given together are the
 * cluster view: Namespaces supply labels, ServiceEntries hosts) and prints the mutated objects, or
 * with `--output patch` the JSON Patch per object. Notes (why something was left alone) go to stderr.
 */
export async function runMutate(paths: string[], opts: MutateCliOptions): Promise<number> {
  const inputs = await readManifests(paths, (note) => console.error(note));
  const loaded = await loadOrgConfig(opts.orgConfig);
  const org = opts.templates ? withMutation(loaded, { sidecar: { templates: true } }) : loaded;
  const objects = inputs.map((i) => ({ file: i.file, object: withNamespace(i.object, opts.namespace) }));
  const meshConfig = meshFactsFrom(objects.map((o) => o.object).filter(isMeshConfigSource));
  const outcomes = mutateManifests(objects, mutationEnvOf(org, undefined, meshConfig), { namespace: opts.namespace });
  const docs = outcomes.map((o, i) => ({ input: inputs[i]!, outcome: o }));
  for (const { input, outcome } of docs) {
    for (const note of outcome.notes) console.error(`${input.file}:${input.line} ${input.object.kind} ${input.object.metadata?.name ?? ''}: ${note}`);
  }
  if (opts.output === 'patch') {
    console.log(JSON.stringify(docs.map(({ input, outcome }) => ({
      file: input.file, line: input.line, kind: input.object.kind, name: input.object.metadata?.name ?? '',
      applied: outcome.applied, patch: outcome.patch,
    })), null, 2));
  } else if (opts.output === 'json') {
    console.log(JSON.stringify(docs.map(({ outcome }) => outcome.mutated), null, 2));
  } else {
    console.log(docs.map(({ outcome }) => stringify(outcome.mutated, { lineWidth: 0 })).join('---\n'));
  }
  return EXIT.OK;
}
