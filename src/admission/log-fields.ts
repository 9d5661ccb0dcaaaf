import type { AdmissionRequest } from './types.js';

/** The fixed fields of every admission log line (never the object itself). */
export interface AdmissionLogFields {
  webhook: 'mutate' | 'validate';
  uid: string;
  kind: string;
  namespace: string;
  name: string;
  operation: string;
  dryRun: boolean;
  allowed: boolean;
  ruleIds: string[];
  mutated: boolean;
  policyVersion: string | null;
  durationMs: number;
}

/** Extracts the identifying fields of a request for logs and metrics. */
export function requestFields(request: AdmissionRequest): Pick<AdmissionLogFields, 'uid' | 'kind' | 'namespace' | 'name' | 'operation' | 'dryRun'> {
  const obj = request.object ?? request.oldObject ?? undefined;
  return {
    uid: request.uid,
    kind: request.kind.kind,
    namespace: request.namespace ?? obj?.metadata?.namespace ?? '',
    name: request.name ?? obj?.metadata?.name ?? obj?.metadata?.generateName ?? '',
    operation: request.operation,
    dryRun: request.dryRun === true,
  };
}
