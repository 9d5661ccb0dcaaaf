import { performance } from 'node:perf_hooks';
import { kindLabel, truncateField } from './label-values.js';
import type { AdmissionServices } from './services.js';
import type { AdmissionRequest, AdmissionReview } from './types.js';

/** The identifying fields of a request, in every admission log line (never the object itself). */
export interface RequestFields {
  uid: string;
  kind: string;
  namespace: string;
  name: string;
  operation: string;
  dryRun: boolean;
}

/**
 * Extracts the identifying fields of a request for logs and metrics. Each is cut to FIELD_MAX
 * characters (longer than any valid Kubernetes name, so only invalid input is cut).
 */
export function requestFields(request: AdmissionRequest): RequestFields {
  const obj = request.object ?? request.oldObject ?? undefined;
  return {
    uid: truncateField(String(request.uid)),
    kind: truncateField(request.kind.kind),
    namespace: truncateField(String(request.namespace ?? obj?.metadata?.namespace ?? '')),
    name: truncateField(String(request.name ?? obj?.metadata?.name ?? obj?.metadata?.generateName ?? '')),
    operation: request.operation,
    dryRun: request.dryRun === true,
  };
}

/** What one webhook call adds to the shared log line and metrics. */
export interface AdmissionRecord {
  webhook: 'mutate' | 'validate';
  fields: RequestFields;
  started: number;
  outcome: string;
  answer: AdmissionReview;
  /** Webhook-specific log fields (rule ids, mutators, mutated, policy version). */
  extra: Record<string, unknown>;
}

/** Counts the request, observes its latency and writes its one admission log line. */
export function recordAdmission(s: AdmissionServices, r: AdmissionRecord): void {
  const durationMs = performance.now() - r.started;
  const { fields } = r;
  const kind = kindLabel(fields.kind, s.policy.holder.current()?.catalog);
  s.metrics.requests.inc({ webhook: r.webhook, kind, operation: fields.operation, outcome: r.outcome, dry_run: String(fields.dryRun) });
  s.metrics.latency.observe({ webhook: r.webhook }, durationMs / 1000);
  s.log.info({ webhook: r.webhook, ...fields, allowed: r.answer.response?.allowed ?? false, ...r.extra, durationMs: Number(durationMs.toFixed(3)) }, 'admission');
}
