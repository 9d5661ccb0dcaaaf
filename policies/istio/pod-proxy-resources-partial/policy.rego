# METADATA
# title: Set all four sidecar proxy resource annotations or none
# description: |
#   When a Pod or pod template sets only some of `sidecar.istio.io/proxyCPU`, `proxyCPULimit`,
#   `proxyMemory` and `proxyMemoryLimit`, Istio's injector drops its own defaults for the
#   resources block and uses only what is given: typically the proxy ends up with requests but no
#   limits (or the reverse). The sidecar-resources mutator completes the set on the Pods it sizes
#   (mutation.sidecar.enabled, Pods Istio injects), so for those this rule stays silent: the
#   mutating webhook fixes it and says so. It warns where nothing will complete the set. Covers
#   Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob; ambient pods
#   (data.meshguard.lib.istio.dataplane) have no sidecar and are skipped. Needs no inventory.
# custom:
#   id: pod-proxy-resources-partial
#   severity: low
#   enforcement: warn
#   fix: 'Set all four of sidecar.istio.io/proxyCPU, proxyCPULimit, proxyMemory and proxyMemoryLimit, or none and let the mutating webhook size the sidecar.'
#   why: 'the mutating webhook completes the set for pods'
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
package meshguard.rules.pod_proxy_resources_partial

import data.meshguard.lib
import data.meshguard.lib.mutation
import data.meshguard.lib.workloads

keys := [
	"sidecar.istio.io/proxyCPU",
	"sidecar.istio.io/proxyCPULimit",
	"sidecar.istio.io/proxyMemory",
	"sidecar.istio.io/proxyMemoryLimit",
]

violation contains {
	"id": "pod-proxy-resources-partial",
	"message": sprintf("%s %s/%s sets only %s of the four proxy resource annotations; Istio then drops its defaults, so %s end up unset", [lib.kind, lib.namespace, lib.name, json.marshal(present), json.marshal(missing)]),
	"details": {"field": workloads.field(lib.kind, "metadata.annotations"), "set": present, "missing": missing},
} if {
	workloads.admitted
	not workloads.ambient(workloads.template)
	annotations := workloads.annotations_of(workloads.template)
	present := [k | some k in keys; workloads.has_key(annotations, k)]
	missing := [k | some k in keys; not workloads.has_key(annotations, k)]
	count(present) > 0
	count(missing) > 0
	not mutation.sidecar_sized(workloads.template)
}
