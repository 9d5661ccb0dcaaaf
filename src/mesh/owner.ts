/**
 * The workload that owns a pod, as Istio names it (GetDeployMetaFromPod; the same answers as
 * `istio.owner` in Rego; policies/lib/testdata/mesh/owners/data.json is the table both run).
 */
import { isRecord, type KubeObject } from '../inventory/objects.js';

/** A workload named by kind and name. */
export interface WorkloadRef {
  readonly kind: string;
  readonly name: string;
}

const CRONJOB_JOB = /^(.+)-\d{8,11}$/;

/**
 * For a pod with a generateName, its controller: a ReplicaSet named `<name>-<pod-template-hash>`
 * is Deployment `<name>`, a Job named `<name>-<8 to 11 digits>` is CronJob `<name>`, any other
 * controller is itself. A pod without a generateName or a controller is its own workload.
 */
export function podOwner(pod: KubeObject): WorkloadRef {
  const meta = isRecord(pod.metadata) ? pod.metadata : {};
  const self = { kind: 'Pod', name: typeof meta.name === 'string' ? meta.name : '' };
  if (typeof meta.generateName !== 'string' || meta.generateName === '') return self;
  const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  const ref = refs.find((r): r is { kind: string; name: string } => isRecord(r) && r.controller === true && typeof r.kind === 'string' && typeof r.name === 'string');
  if (!ref) return self;
  const hash = isRecord(meta.labels) ? meta.labels['pod-template-hash'] : undefined;
  if (ref.kind === 'ReplicaSet' && typeof hash === 'string' && hash !== '' && ref.name.endsWith(hash)) {
    return { kind: 'Deployment', name: ref.name.endsWith(`-${hash}`) ? ref.name.slice(0, -(hash.length + 1)) : ref.name };
  }
  const cron = ref.kind === 'Job' ? CRONJOB_JOB.exec(ref.name) : null;
  if (cron) return { kind: 'CronJob', name: cron[1] as string };
  return { kind: ref.kind, name: ref.name };
}
