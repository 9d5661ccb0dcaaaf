/**
 * The `mutation:` section of the organisation config: its type and the built-in defaults, which
 * are the shipped `config/org-config.yaml` (documented there, written nowhere else).
 */

/** A namespace (or pod) label test: `key` present, and equal to `value` when one is given. */
export interface LabelMatch {
  readonly key: string;
  readonly value?: string;
}

/** The four sidecar resource values, as Kubernetes quantities; each optional in bounds. */
export interface SidecarValues {
  readonly cpu?: string;
  readonly cpuLimit?: string;
  readonly memory?: string;
  readonly memoryLimit?: string;
}

/** The four values, all present. */
export type SidecarValuesComplete = Required<SidecarValues>;

/** The four resource keys, in the order they are reported. */
export const SIDECAR_KEYS = ['cpu', 'cpuLimit', 'memory', 'memoryLimit'] as const;
/** One of the four resource keys. */
export type SidecarKey = (typeof SIDECAR_KEYS)[number];

/**
 * A sizing profile selected by `meshguard.io/sidecar-profile`: `set` fixes values, `min` and `max`
 * bound them. A profile wins over the org floors and ceilings; explicit user annotations win over
 * the profile.
 */
export interface SidecarProfile {
  readonly set?: SidecarValues;
  readonly min?: SidecarValues;
  readonly max?: SidecarValues;
}

/** Settings of the sidecar-resources mutator. */
export interface SidecarConfig {
  readonly enabled: boolean;
  /** Also size pod templates of Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob. */
  readonly templates: boolean;
  /** Overwrite user-set proxy resource annotations with the computed values. */
  readonly enforceComputed: boolean;
  /** Annotation or label (pod, then namespace) naming the profile. */
  readonly profileKey: string;
  /** Profile used when none is named; empty for none. */
  readonly defaultProfile: string;
  /** Sidecar value = ratio × the app's effective request (cpu, memory) or limit (cpuLimit, memoryLimit). */
  readonly ratios: { readonly cpu: number; readonly cpuLimit: number; readonly memory: number; readonly memoryLimit: number };
  /** When the app has no limit for a resource: sidecar limit = sidecar request × factor. */
  readonly limitFactors: { readonly cpu: number; readonly memory: number };
  /** Sidecar requests when the app requests nothing of that resource. */
  readonly base: { readonly cpu: string; readonly memory: string };
  readonly floors: SidecarValuesComplete;
  readonly ceilings: SidecarValuesComplete;
  readonly profiles: Readonly<Record<string, SidecarProfile>>;
}

/** The validated `mutation:` section. */
export interface MutationConfig {
  /** Passes the runner may take before declaring non-convergence (>= 2: one to change, one to verify). */
  readonly maxPasses: number;
  /** Answer one AdmissionResponse warning per mutator that changed something, saying what and why. */
  readonly warnings: boolean;
  readonly mesh: {
    /** Cluster DNS suffix of in-mesh services. */
    readonly clusterDomain: string;
    /** Namespace labels that make a namespace part of the mesh (for DestinationRule hosts). */
    readonly meshLabels: readonly LabelMatch[];
  };
  readonly sidecar: SidecarConfig;
  readonly mtls: { readonly enabled: boolean };
  readonly telemetry: {
    readonly enabled: boolean;
    /** Filled into Telemetry `spec.tracing[]` entries that set no `randomSamplingPercentage`. */
    readonly defaultSamplingPercentage: number;
    /** Merged into pods' `proxy.istio.io/config` where the keys are unset. */
    readonly proxyConfigDefaults: Readonly<Record<string, unknown>>;
  };
  /** Settings of the waypoint-resources mutator (ambient waypoint Deployments). */
  readonly waypoint: {
    readonly enabled: boolean;
    /** Requests and limits of the waypoint's istio-proxy container, filled in where unset. */
    readonly resources: SidecarValuesComplete;
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Freezes a config tree (the runner never edits it; this makes accidents loud). */
export function freezeConfig(config: MutationConfig): MutationConfig {
  return deepFreeze(config);
}
