/**
 * Coded errors, in the manner of Fastify's FST_ERR_*: every failure meshguard reports carries a
 * stable `code` (MG_ERR_<AREA>_<WHAT>) that logs, metrics and tests can match on, and a message
 * that is safe to show to a client (no stack, no object contents).
 */
export class MeshguardError extends Error {
  /** Stable machine-readable code, e.g. `MG_ERR_CONFIG_INVALID`. */
  readonly code: string;
  /** HTTP status to use when the error answers a request that is not an AdmissionReview. */
  readonly statusCode: number;

  constructor(code: string, message: string, options: { statusCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshguardError';
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
  }
}

/** Error codes. Keep them stable: they appear in logs, metrics and documentation. */
export const ErrorCodes = {
  CONFIG_INVALID: 'MG_ERR_CONFIG_INVALID',
  CONFIG_FILE: 'MG_ERR_CONFIG_FILE',
  ORG_CONFIG_INVALID: 'MG_ERR_ORG_CONFIG_INVALID',
  ADMISSION_BAD_REQUEST: 'MG_ERR_ADMISSION_BAD_REQUEST',
  ADMISSION_UNSUPPORTED_VERSION: 'MG_ERR_ADMISSION_UNSUPPORTED_VERSION',
  ADMISSION_MISSING_UID: 'MG_ERR_ADMISSION_MISSING_UID',
  ADMISSION_BODY_TOO_LARGE: 'MG_ERR_ADMISSION_BODY_TOO_LARGE',
  ADMISSION_CONTENT_TYPE: 'MG_ERR_ADMISSION_CONTENT_TYPE',
  ADMISSION_OVERLOADED: 'MG_ERR_ADMISSION_OVERLOADED',
  POLICY_BUNDLE_INVALID: 'MG_ERR_POLICY_BUNDLE_INVALID',
  POLICY_ENTRYPOINT_MISSING: 'MG_ERR_POLICY_ENTRYPOINT_MISSING',
  POLICY_EVALUATION: 'MG_ERR_POLICY_EVALUATION',
  POLICY_NOT_LOADED: 'MG_ERR_POLICY_NOT_LOADED',
  POLICY_BUILD: 'MG_ERR_POLICY_BUILD',
  POLICY_TIMEOUT: 'MG_ERR_POLICY_TIMEOUT',
  POLICY_OVERLOADED: 'MG_ERR_POLICY_OVERLOADED',
  POLICY_WORKER_FAILED: 'MG_ERR_POLICY_WORKER_FAILED',
  MUTATION_FAILED: 'MG_ERR_MUTATION_FAILED',
  MUTATION_NOT_CONVERGED: 'MG_ERR_MUTATION_NOT_CONVERGED',
  QUANTITY_INVALID: 'MG_ERR_QUANTITY_INVALID',
  TLS_LOAD: 'MG_ERR_TLS_LOAD',
  KUBE_UNREACHABLE: 'MG_ERR_KUBE_UNREACHABLE',
  KUBE_CONFIG: 'MG_ERR_KUBE_CONFIG',
  KUBE_API: 'MG_ERR_KUBE_API',
  INPUT_UNREADABLE: 'MG_ERR_INPUT_UNREADABLE',
  SIZING_PROMETHEUS: 'MG_ERR_SIZING_PROMETHEUS',
  ANNOTATION_INVALID: 'MG_ERR_ANNOTATION_INVALID',
  SNAPSHOT_INVALID: 'MG_ERR_SNAPSHOT_INVALID',
  SNAPSHOT_UNREADABLE: 'MG_ERR_SNAPSHOT_UNREADABLE',
  SNAPSHOT_TOO_LARGE: 'MG_ERR_SNAPSHOT_TOO_LARGE',
  SNAPSHOT_MISSING: 'MG_ERR_SNAPSHOT_MISSING',
  SNAPSHOT_STALE: 'MG_ERR_SNAPSHOT_STALE',
} as const;

/** Turns anything thrown (including the opa-wasm SDK's thrown strings) into a message string. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

// An absolute path (after a start, space, quote, bracket, colon or equals sign), or a relative path
// to a Rego file: what a policy build or a bundle file location looks like inside a message.
const PATH_PATTERN = /(^|[\s'"([=:,])(\/(?:[^\s'"()[\],:/]+\/)*([^\s'"()[\],:/]+))|((?:[\w.-]+\/)+([\w.-]+\.rego))/g;

/**
 * A message safe to put in an answer: every file path (a bundle's location, a policy build's
 * working folder, a Rego file) is cut to its last part. Logs keep the full message.
 */
export function withoutPaths(message: string): string {
  return message.replace(PATH_PATTERN, (_all, lead: string | undefined, abs: string | undefined, absBase: string | undefined, _rel: string | undefined, relBase: string | undefined) =>
    abs !== undefined ? `${lead ?? ''}${absBase ?? ''}` : (relBase ?? ''));
}
