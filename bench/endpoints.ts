/**
 * How each server is asked for an admission decision: the path per webhook, how a body is
 * wrapped, and how the AdmissionReview is found in the answer. OPA's Data API needs the
 * AdmissionReview wrapped as `{"input": ...}` and answers `{"result": ...}`; its default decision
 * at POST / takes and returns the AdmissionReview as it is.
 */
import type { AdmissionReview } from '../src/admission/types.js';
import { OPA_V1_PATH } from './opa-server.js';
import type { RunningServer } from './servers.js';

export type Webhook = 'validate' | 'mutate';

/** One way of asking one server. */
export interface Endpoint {
  /** Label in tables: the server's name plus the API when there is a choice. */
  label: string;
  server: RunningServer;
  webhooks: readonly Webhook[];
  /** Judges policy (denies what is denied) and patches (on /mutate). The floor does neither. */
  judges: boolean;
  patches: boolean;
  path(webhook: Webhook): string;
  wrap(body: string): string;
  unwrap(answer: unknown): AdmissionReview | undefined;
}

const identity = (body: string): string => body;
const asReview = (answer: unknown): AdmissionReview | undefined =>
  typeof answer === 'object' && answer !== null && (answer as AdmissionReview).kind === 'AdmissionReview' ? (answer as AdmissionReview) : undefined;

/** meshguard's /validate and /mutate. */
export function meshguardEndpoint(server: RunningServer): Endpoint {
  return { label: server.spec.name, server, webhooks: ['validate', 'mutate'], judges: true, patches: true, path: (w) => `/${w}`, wrap: identity, unwrap: asReview };
}

/** The floor answers both paths, allowing everything. */
export function floorEndpoint(server: RunningServer): Endpoint {
  return { label: server.spec.name, server, webhooks: ['validate', 'mutate'], judges: false, patches: false, path: (w) => `/${w}`, wrap: identity, unwrap: asReview };
}

/** OPA's v1 Data API: POST {"input": <AdmissionReview>} to /v1/data/..., answer in `result`. */
export function opaDataEndpoint(server: RunningServer): Endpoint {
  return {
    label: `${server.spec.name} /v1/data`, server, webhooks: ['validate'], judges: true, patches: false,
    path: () => OPA_V1_PATH, wrap: (body) => `{"input":${body}}`,
    unwrap: (answer) => asReview((answer as { result?: unknown } | undefined)?.result),
  };
}

/** OPA's default decision: POST the AdmissionReview itself to /. */
export function opaRootEndpoint(server: RunningServer): Endpoint {
  return { label: `${server.spec.name} POST /`, server, webhooks: ['validate'], judges: true, patches: false, path: () => '/', wrap: identity, unwrap: asReview };
}

/**
 * A cheap check autocannon runs on every answer during load: the right allowed value (and a
 * patch when one is due). Full answers are checked before measuring (verify.ts).
 */
export function bodyCheck(endpoint: Endpoint, webhook: Webhook): (body: string) => boolean {
  const wantPatch = endpoint.patches && webhook === 'mutate';
  return (body) => body.includes('"allowed":true') && (!wantPatch || body.includes('"patch":"'));
}
