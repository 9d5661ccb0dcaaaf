import { ErrorCodes, MeshguardError } from '../errors.js';
import { isRecord } from '../inventory/objects.js';
import { ADMISSION_API_VERSION, type AdmissionRequest, type AdmissionReview } from './types.js';

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

function bad(code: string, message: string): MeshguardError {
  return new MeshguardError(code, message, { statusCode: 400 });
}

/**
 * Checks that a parsed body is an AdmissionReview v1 with a usable request, and returns it typed.
 * Throws a 400 MeshguardError with a one-line reason otherwise; the reason names the field, never
 * the value sent (an answer does not echo body bytes).
 */
export function assertAdmissionReview(body: unknown): AdmissionReview & { request: AdmissionRequest } {
  if (!isRecord(body)) throw bad(ErrorCodes.ADMISSION_BAD_REQUEST, 'body is not an AdmissionReview: expected a JSON object');
  if (body.kind !== 'AdmissionReview') {
    throw bad(ErrorCodes.ADMISSION_BAD_REQUEST, 'body is not an AdmissionReview: kind must be AdmissionReview');
  }
  if (body.apiVersion !== ADMISSION_API_VERSION) {
    throw bad(
      ErrorCodes.ADMISSION_UNSUPPORTED_VERSION,
      `unsupported AdmissionReview apiVersion: only ${ADMISSION_API_VERSION} is supported`,
    );
  }
  const request = body.request;
  if (!isRecord(request)) throw bad(ErrorCodes.ADMISSION_BAD_REQUEST, 'AdmissionReview has no request');
  if (typeof request.uid !== 'string' || request.uid === '') throw bad(ErrorCodes.ADMISSION_MISSING_UID, 'AdmissionReview request.uid is missing');
  if (!isRecord(request.kind) || typeof request.kind.kind !== 'string') {
    throw bad(ErrorCodes.ADMISSION_BAD_REQUEST, 'AdmissionReview request.kind is missing');
  }
  if (typeof request.operation !== 'string' || !OPERATIONS.has(request.operation)) {
    throw bad(ErrorCodes.ADMISSION_BAD_REQUEST, 'AdmissionReview request.operation must be CREATE, UPDATE, DELETE or CONNECT');
  }
  for (const field of ['object', 'oldObject'] as const) {
    const value = request[field];
    if (value !== undefined && value !== null && !isRecord(value)) {
      throw bad(ErrorCodes.ADMISSION_BAD_REQUEST, `AdmissionReview request.${field} must be an object`);
    }
  }
  return body as unknown as AdmissionReview & { request: AdmissionRequest };
}
