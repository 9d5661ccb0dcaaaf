import { stringify } from 'yaml';
import { mutationEnvOf } from '../admission/mutate.js';
import { explainMutations, mutateManifests } from '../mutation/index.js';
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
 * with `--output patch` the JSON Patch and the explanations per object. Notes (why something was left
 * alone) and the explanations the webhook answers as warnings (`meshguard: set …`) go to stderr.
 */
export async function runMutate(paths: string[], opts: MutateCliOptions): Promise<number> {
  const inputs = await readManifests(paths, (note) => console.error(note));
  const loaded = await loadOrgConfig(opts.orgConfig);
  const org = opts.templates ? withMutation(loaded, { sidecar: { templates: true } }) : loaded;
  const objects = inputs.map((i) => ({ file: i.file, object: withNamespace(i.object, opts.namespace) }));
  const meshConfig = meshFactsFrom(objects.map((o) => o.object).filter(isMeshConfigSource));
  const outcomes = mutateManifests(objects, mutationEnvOf(org, undefined, meshConfig), { namespace: opts.namespace });
  const docs = outcomes.map((o, i) => ({ input: inputs[i]!, outcome: o, explained: explainMutations({ kind: objects[i]!.object.kind ?? '', object: objects[i]!.object }, o) }));
  for (const { input, outcome, explained } of docs) {
    const where = `${input.file}:${input.line} ${input.object.kind} ${input.object.metadata?.name ?? ''}`;
    for (const note of outcome.notes) console.error(`${where}: ${note}`);
    for (const sentence of explained) console.error(`${where}: ${sentence}`);
  }
  if (opts.output === 'patch') {
    console.log(JSON.stringify(docs.map(({ input, outcome, explained }) => ({
      file: input.file, line: input.line, kind: input.object.kind, name: input.object.metadata?.name ?? '',
      applied: outcome.applied, patch: outcome.patch, warnings: explained,
    })), null, 2));
  } else if (opts.output === 'json') {
    console.log(JSON.stringify(docs.map(({ outcome }) => outcome.mutated), null, 2));
  } else {
    console.log(docs.map(({ outcome }) => stringify(outcome.mutated, { lineWidth: 0 })).join('---\n'));
  }
  return EXIT.OK;
}
