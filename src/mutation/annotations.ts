/** Annotation and label keys the mutators read and write. */

/** Ids of the mutators that changed the object, comma-separated (written by the runner). */
export const MUTATIONS_ANNOTATION = 'meshguard.io/mutations';
/** Compact JSON recording how the sidecar resources were computed (written by sidecar-resources). */
export const SIDECAR_SIZING_ANNOTATION = 'meshguard.io/sidecar-sizing';

/** Istio's per-pod injection switch: a label (preferred) or a deprecated annotation. */
export const ISTIO_INJECT = 'sidecar.istio.io/inject';
/** Namespace label: `enabled` turns injection on, any other value turns it off. */
export const ISTIO_INJECTION_LABEL = 'istio-injection';
/** Namespace or pod label selecting a control-plane revision. */
export const ISTIO_REV_LABEL = 'istio.io/rev';
/** Per-pod ProxyConfig overrides, YAML or JSON. */
export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

/** The four sidecar resource annotations Istio's injector reads. */
export const PROXY_RESOURCE_ANNOTATIONS = {
  cpu: 'sidecar.istio.io/proxyCPU',
  cpuLimit: 'sidecar.istio.io/proxyCPULimit',
  memory: 'sidecar.istio.io/proxyMemory',
  memoryLimit: 'sidecar.istio.io/proxyMemoryLimit',
} as const;
