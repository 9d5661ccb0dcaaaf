import type { Operation } from 'fast-json-patch';
import { withoutPaths } from '../errors.js';
import { ADMISSION_API_VERSION, type AdmissionResponse, type AdmissionReview } from './types.js';

/** Wraps a response in an AdmissionReview v1 carrying the request's uid. */
export function review(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** Optional parts every answer may carry. */
export interface Extras {
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

function withExtras(response: AdmissionResponse, extras: Extras): AdmissionResponse {
  if (extras.warnings && extras.warnings.length > 0) response.warnings = extras.warnings;
  if (extras.auditAnnotations && Object.keys(extras.auditAnnotations).length > 0) response.auditAnnotations = extras.auditAnnotations;
  return response;
}

/** allowed: true, no patch. */
export function allow(uid: string, extras: Extras = {}): AdmissionReview {
  return review(withExtras({ uid, allowed: true }, extras));
}

/** allowed: false with a status code and readable message. */
export function deny(uid: string, code: number, message: string, extras: Extras & { reason?: string } = {}): AdmissionReview {
  const status: { code: number; message: string; reason?: string } = { code, message };
  if (extras.reason) status.reason = extras.reason;
  return review(withExtras({ uid, allowed: false, status }, extras));
}

/** allowed: true with an RFC 6902 patch (base64 JSON), or plain allow when the patch is empty. */
export function patch(uid: string, operations: Operation[], extras: Extras = {}): AdmissionReview {
  if (operations.length === 0) return allow(uid, extras);
  const encoded = Buffer.from(JSON.stringify(operations)).toString('base64');
  return review(withExtras({ uid, allowed: true, patchType: 'JSONPatch', patch: encoded }, extras));
}

/**
 * The answer when meshguard itself failed (policy trap, bad bundle, mutation error): per
 * failureMode, a 500 denial, or an allow that says in a warning and an audit annotation what was
 * skipped. Never a stack trace, never a file path (the log line keeps the full message).
 */
export function failure(uid: string, mode: 'deny' | 'allow', what: string, code: string, detail?: string): AdmissionReview {
  const message = `meshguard could not ${what}${detail ? `: ${withoutPaths(detail.split('\n')[0] ?? '')}` : ''} (${code})`;
  if (mode === 'deny') return deny(uid, 500, `${message}; failureMode is deny`, { reason: 'InternalError' });
  return allow(uid, { warnings: [`${message}; admitted because failureMode is allow`], auditAnnotations: { 'failure': code } });
}
