/**
 * The mutation layer: the mutating webhook's logic, independent of HTTP and Kubernetes clients.
 * `mutate()` is the entry point; `parseMutationConfig()` validates the org config's `mutation:`
 * section; `mutateManifests()` serves `meshguard mutate`.
 */
export type { MutationEnv, MutationOutcome, MutationRequest, Mutator, MutatorChange, OwnedField } from './types.js';
export { EXPLANATION_PREFIX, changedFields, explainMutations, fieldPath } from './explain.js';
export {
  SIDECAR_KEYS,
  type LabelMatch,
  type MutationConfig,
  type SidecarConfig,
  type SidecarKey,
  type SidecarProfile,
  type SidecarValues,
} from './config.js';
export { defaultMutationConfig, parseMutationConfig } from './config-parse.js';
export { builtinMutators, mutate } from './runner.js';
export { mutateManifests, type ManifestInput } from './offline.js';
export * from './annotations.js';
export {
  MAX_QUANTITY_NANOS,
  QuantityInvalid,
  formatCpu,
  formatMemory,
  parseCpuMillis,
  parseMemoryBytes,
  parseQuantity,
  readQuantity,
  toMillis,
  toUnits,
  type Quantity,
  type QuantityError,
  type QuantityFormat,
} from './quantity.js';
export { computeSizing, type SizingInput, type SizingResult } from './sizing.js';
export { appResources, type AppResources } from './pod-resources.js';
export { classifyHost, injectionDecision, namespaceMembership, type HostClass, type InjectionDecision } from './mesh.js';
export { sidecarResourcesMutator } from './mutators/sidecar-resources.js';
export { mtlsDefaultsMutator } from './mutators/mtls-defaults.js';
export { telemetryDefaultsMutator } from './mutators/telemetry-defaults.js';
export { waypointResourcesMutator } from './mutators/waypoint-resources.js';
