import type { KubeObject, ObjectMeta } from '../inventory/objects.js';
import { stripMetadata } from '../inventory/strip-metadata.js';
import { secretForInventory } from '../inventory/tls-facts.js';
import type { ServedResource } from './resources.js';

export { LAST_APPLIED, stripMetadata } from '../inventory/strip-metadata.js';

/**
 * The copy of an API object the Inventory keeps. What is dropped, and why:
 * - `metadata.managedFields` and the last-applied annotation: server-side and client-side apply
 *   bookkeeping, often larger than the object itself (memory on large clusters); the last-applied
 *   annotation of a Secret would also carry its data;
 * - `status`: no rule or mutator reads it, and it churns;
 * - for metadata-only kinds (Secret) everything but apiVersion, kind and metadata, even if the
 *   server sent more, so secret data cannot reach the policy engine whatever the server does.
 * - for Secrets read with data (setting secretTlsFacts) everything but apiVersion, kind and
 *   metadata too, plus `tlsFacts` judged at `now` from the data, exactly as `meshguard check`
 *   hands a given Secret to the engine ({@link secretForInventory}). The data goes nowhere else.
 * `kind` (the API kind) and `apiVersion` are set from the resource (list items of typed lists carry
 * neither).
 */
export function stripObject(
  raw: Record<string, unknown>,
  resource: Pick<ServedResource, 'kind' | 'apiKind' | 'apiVersion' | 'metadataOnly' | 'tlsFacts'>,
  now: Date = new Date(),
): KubeObject {
  const kind = resource.apiKind ?? resource.kind;
  const metadata = stripMetadata((raw.metadata ?? {}) as ObjectMeta);
  if (resource.tlsFacts) return secretForInventory({ ...(raw as KubeObject), apiVersion: resource.apiVersion }, now);
  if (resource.metadataOnly) return { apiVersion: resource.apiVersion, kind, metadata };
  const out: KubeObject = { ...raw, apiVersion: resource.apiVersion, kind, metadata };
  delete out.status;
  return out;
}
