/**
 * Workload identity, on both sides of the recommender: which workload a pod in Prometheus belongs
 * to (kube-state-metrics owners when present, else the pod-name pattern), and which workload an
 * admitted Pod or pod template belongs to (its owner reference or its own kind and name). Both
 * give the same {@link WorkloadRef}, so a recommendation computed from metrics finds its Pods.
 */
import { podOwner } from '../mesh/owner.js';
import { isRecord, type KubeObject } from '../inventory/objects.js';

/** A workload: namespace, controller kind and name. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}

/** The map key of a workload: `namespace/Kind/name`. */
export function workloadKey(ref: WorkloadRef): string {
  return `${ref.namespace}/${ref.kind}/${ref.name}`;
}

/** Owners as kube-state-metrics reports them: `namespace/pod` → owner, `namespace/replicaset` → owner. */
export interface OwnerMaps {
  readonly pods: ReadonlyMap<string, { kind: string; name: string }>;
  readonly replicaSets: ReadonlyMap<string, { kind: string; name: string }>;
}

// Kubernetes' generated suffixes use this alphabet (k8s.io/apimachinery rand.String): no vowels,
// no 0, 1 or 3, so `web-7d9f8c6b5-x2x7z` is a Deployment's pod and `db-0` a StatefulSet's.
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const STATEFUL_POD = /^(.+)-(\d+)$/;
const DAEMON_POD = new RegExp(`^(.+)-${SAFE}{5}$`);
const REPLICASET = new RegExp(`^(.+)-${SAFE}{6,10}$`);

/** A ReplicaSet's workload: its owner when known, else the Deployment its name was generated for. */
function fromReplicaSet(namespace: string, name: string, owners: OwnerMaps): WorkloadRef {
  const owner = owners.replicaSets.get(`${namespace}/${name}`);
  if (owner) return { namespace, ...owner };
  const m = REPLICASET.exec(name);
  return m ? { namespace, kind: 'Deployment', name: m[1]! } : { namespace, kind: 'ReplicaSet', name };
}

/**
 * The workload of a pod seen in Prometheus. With kube-state-metrics: `kube_pod_owner`, through
 * `kube_replicaset_owner` for ReplicaSets; a pod without an owner is its own workload (`Pod`).
 * Without: the name pattern (`<deployment>-<hash>-<suffix>`, `<statefulset>-<ordinal>`,
 * `<daemonset>-<suffix>`), else the pod itself.
 */
export function podWorkload(namespace: string, pod: string, owners: OwnerMaps): WorkloadRef {
  const owner = owners.pods.get(`${namespace}/${pod}`);
  if (owner) {
    if (owner.kind === '<none>' || owner.kind === '') return { namespace, kind: 'Pod', name: pod };
    return owner.kind === 'ReplicaSet' ? fromReplicaSet(namespace, owner.name, owners) : { namespace, ...owner };
  }
  const deployment = DEPLOYMENT_POD.exec(pod);
  if (deployment) return { namespace, kind: 'Deployment', name: deployment[1]! };
  const stateful = STATEFUL_POD.exec(pod);
  if (stateful) return { namespace, kind: 'StatefulSet', name: stateful[1]! };
  const daemon = DAEMON_POD.exec(pod);
  if (daemon) return { namespace, kind: 'DaemonSet', name: daemon[1]! };
  return { namespace, kind: 'Pod', name: pod };
}

/**
 * The workload of an admitted object: a workload kind is itself; a Pod is the workload that owns
 * it as Istio names it ({@link podOwner}: a ReplicaSet named `<deployment>-<pod-template-hash>` is
 * that Deployment, a Job named `<cronjob>-<digits>` that CronJob), or itself when it has no
 * controller. Undefined when the object has no name to go by.
 */
export function objectWorkload(obj: KubeObject, kind: string, namespace: string): WorkloadRef | undefined {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  if (kind !== 'Pod') return typeof meta.name === 'string' && meta.name ? { namespace, kind, name: meta.name } : undefined;
  const owner = podOwner(obj);
  return owner.name ? { namespace, ...owner } : undefined;
}
