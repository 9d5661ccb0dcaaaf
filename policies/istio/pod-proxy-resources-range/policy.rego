# METADATA
# title: Sidecar proxy resource annotations within org bounds
# description: |
#   The proxy resource annotations of a Pod or pod template (Deployment, StatefulSet, DaemonSet,
#   ReplicaSet, Job, CronJob) must be valid Kubernetes quantities within the org's bounds:
#   `sidecar.istio.io/proxyCPU` and `proxyCPULimit` between params `cpuMin` and `cpuMax`,
#   `proxyMemory` and `proxyMemoryLimit` between `memoryMin` and `memoryMax` (quantities, defaults
#   50m..2 and 64Mi..2Gi; the sidecar-resources mutator clamps what it writes to the same params).
#   Too small and the proxy is throttled or OOM-killed under load; too large and it starves the
#   node. An unparseable value would make injection fail, and a value beyond 2^63-1 is denied as
#   too large. A value out of bounds is not reported where the mutator replaces it on the Pods
#   (mutation.sidecar.enforceComputed on a pod it sizes). Quantities are read by data.meshguard.lib.quantity, with bounded work. Checked whatever the namespace (the annotations
#   only matter where the pod is injected, and the values are wrong anywhere), except for ambient pods
#   (data.meshguard.lib.istio.dataplane), which have no sidecar. Needs no inventory.
# custom:
#   id: pod-proxy-resources-range
#   severity: medium
#   enforcement: deny
#   fix: 'Set the proxy resource annotation to a valid quantity within the params `cpuMin`..`cpuMax` (CPU) or `memoryMin`..`memoryMax` (memory), or remove it and let the mutating webhook size the sidecar.'
#   why: 'an invalid value makes injection fail and an extreme one starves or kills the proxy (traffic)'
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
package meshguard.rules.pod_proxy_resources_range

import data.meshguard.lib
import data.meshguard.lib.mutation
import data.meshguard.lib.quantity
import data.meshguard.lib.workloads

rule_id := "pod-proxy-resources-range"

resource_of := {
	"sidecar.istio.io/proxyCPU": "cpu",
	"sidecar.istio.io/proxyCPULimit": "cpu",
	"sidecar.istio.io/proxyMemory": "memory",
	"sidecar.istio.io/proxyMemoryLimit": "memory",
}

bounds := {
	"cpu": {"min": lib.param(rule_id, "cpuMin", "50m"), "max": lib.param(rule_id, "cpuMax", "2")},
	"memory": {"min": lib.param(rule_id, "memoryMin", "64Mi"), "max": lib.param(rule_id, "memoryMax", "2Gi")},
}

annotated contains [key, value] if {
	workloads.admitted
	not workloads.ambient(workloads.template)
	some key, value in workloads.annotations_of(workloads.template)
	resource_of[key]
}

field(key) := sprintf("%s[%s]", [workloads.field(lib.kind, "metadata.annotations"), key])

violation contains {
	"id": rule_id,
	"message": sprintf("%s %s/%s sets %s to \"%s\", which is not a valid quantity", [lib.kind, lib.namespace, lib.name, key, shown]),
	"details": {"field": field(key), "annotation": key, "value": shown},
} if {
	some [key, value] in annotated
	quantity.error(value) != "too large"
	shown := display(value)
}

violation contains {
	"id": rule_id,
	"message": sprintf("%s %s/%s sets %s to \"%s\", which is too large for a quantity (the org maximum is %s)", [lib.kind, lib.namespace, lib.name, key, shown, range.max]),
	"details": {"field": field(key), "annotation": key, "value": shown, "min": range.min, "max": range.max},
} if {
	some [key, value] in annotated
	quantity.error(value) == "too large"
	shown := display(value)
	range := bounds[resource_of[key]]
}

violation contains {
	"id": rule_id,
	"message": sprintf("%s %s/%s sets %s to %s, %s the org %s of %s", [lib.kind, lib.namespace, lib.name, key, shown, relation, limit, bound]),
	"details": {"field": field(key), "annotation": key, "value": shown, "min": range.min, "max": range.max},
} if {
	some [key, value] in annotated
	amount := quantity.nanos(value)
	range := bounds[resource_of[key]]
	some [relation, limit, bound] in out_of_range(amount, range)
	shown := display(value)
	not mutation.sidecar_enforced(workloads.template)
}

out_of_range(amount, range) := [["below", "minimum", range.min]] if {
	quantity.less(amount, quantity.nanos(range.min))
} else := [["above", "maximum", range.max]] if {
	quantity.less(quantity.nanos(range.max), amount)
} else := []

# display(value) is the value as a message shows it: long values are cut (a quantity that long
# is wrong whatever it says).
display(value) := value if {
	is_string(value)
	count(value) <= 64
} else := sprintf("%s... (%d characters)", [substring(value, 0, 32), count(value)]) if {
	is_string(value)
} else := json.marshal(value)
