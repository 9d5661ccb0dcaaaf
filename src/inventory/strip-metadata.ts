import type { ObjectMeta } from './objects.js';

/** kubectl's client-side-apply record: a full copy of the object (for a Secret, its data too). */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata without managedFields and without the last-applied-configuration annotation. */
export function stripMetadata(metadata: ObjectMeta): ObjectMeta {
  const { managedFields: _managed, ...rest } = metadata;
  if (rest.annotations && LAST_APPLIED in rest.annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...annotations } = rest.annotations;
    if (Object.keys(annotations).length > 0) rest.annotations = annotations;
    else delete rest.annotations;
  }
  return rest;
}
