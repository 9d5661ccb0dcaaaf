/** meshguard's own resource kinds, as the inventory, the informers and the policy side name them. */

/** API group of meshguard's Exemption resource. */
export const EXEMPTION_GROUP = 'policy.meshguard.io';
/** Kind of meshguard's Exemption resource (namespaced, honoured only in meshguard's namespace). */
export const EXEMPTION_KIND = 'Exemption';
