/**
 * Offline mutation of manifest files, for `meshguard mutate`: builds an Inventory from the given
 * objects (Namespaces among them give namespace labels) on top of `env.inventory` when given, then
 * mutates every object as a CREATE.
 */
import { MeshguardError, ErrorCodes, describeError } from '../errors.js';
import { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';
import { mutate } from './runner.js';
import type { MutationEnv, MutationOutcome } from './types.js';

/** One input object and the file it came from. */
export interface ManifestInput {
  readonly object: KubeObject;
  readonly file: string;
}

function copyInventory(from: Inventory | undefined): Inventory {
  const inventory = new Inventory();
  if (!from) return inventory;
  for (const [kind, namespaces] of Object.entries(from.toJSON())) {
    inventory.declareKind(kind);
    for (const names of Object.values(namespaces)) for (const obj of Object.values(names)) inventory.upsert(obj, kind);
  }
  return inventory;
}

function namespaceOf(obj: KubeObject, fallback: string): string {
  if (obj.kind === 'Namespace') return '';
  return obj.metadata?.namespace ?? fallback;
}

/**
 * Mutates manifests offline, each as a CREATE. Objects without `metadata.namespace` belong to
 * `opts.namespace`. Returns one outcome per input object, in input order. Objects are not modified.
 * @throws the first object's error (see `mutate`), its message prefixed with the file, kind and name.
 */
export function mutateManifests(objects: readonly ManifestInput[], env: MutationEnv, opts: { namespace: string }): MutationOutcome[] {
  const inventory = copyInventory(env.inventory);
  for (const { object } of objects) {
    const namespace = namespaceOf(object, opts.namespace);
    const stored = structuredClone(object);
    if (namespace !== '') stored.metadata = { ...stored.metadata, namespace };
    inventory.upsert(stored);
  }
  const offlineEnv: MutationEnv = { ...env, inventory };
  return objects.map(({ object, file }) => {
    const namespace = namespaceOf(object, opts.namespace) || opts.namespace;
    try {
      return mutate({ operation: 'CREATE', kind: object.kind ?? '', namespace, object, dryRun: true }, offlineEnv);
    } catch (err) {
      const where = `${file}: ${object.kind ?? '?'} ${object.metadata?.name ?? '?'}`;
      const code = err instanceof MeshguardError ? err.code : ErrorCodes.MUTATION_FAILED;
      throw new MeshguardError(code, `${where}: ${describeError(err)}`, { statusCode: 400, cause: err });
    }
  });
}
