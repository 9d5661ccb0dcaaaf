# METADATA
# title: Telemetries must not select the same workload
# description: |
#   When two Telemetries with a `selector` both match the same workload, which one its proxy uses
#   is undefined (istioctl IST0159 ConflictingTelemetryWorkloadSelectors). Same condition as
#   istioctl: both have non-empty `selector.matchLabels`, live in the same namespace, and a
#   workload of that namespace matches both. The selectors are matched against the pod (template)
#   labels of the Pods, Deployments, StatefulSets, DaemonSets and ReplicaSets of the namespace.
#   Inventory: needs Telemetry and a workload kind; on a cache miss the rule stays silent.
# custom:
#   id: tm-selector-overlap
#   severity: high
#   enforcement: warn
#   fix: 'Narrow the selectors so each workload is selected by one Telemetry, or merge the Telemetries.'
#   why: 'which telemetry applies is undefined; traffic is not affected'
#   kinds: [Telemetry]
#   istioCode: IST0159
package meshguard.rules.tm_selector_overlap

import data.meshguard.lib
import data.meshguard.lib.workloads

violation contains {
	"id": "tm-selector-overlap",
	"message": sprintf("Telemetry %s/%s and Telemetry %s/%s both select %s: which one applies is undefined", [lib.namespace, lib.name, lib.namespace, other.metadata.name, json.marshal(names)]),
	"details": {"field": "spec.selector.matchLabels", "conflictingTelemetry": other.metadata.name, "workloads": names},
} if {
	lib.is_kind("Telemetry")
	workloads.selectable_known
	mine := selector_labels(lib.obj)
	count(mine) > 0
	candidates := [w | some w in workloads.workloads_in(lib.namespace); workloads.matches_labels(mine, w.labels)]
	count(candidates) > 0
	some other in lib.items_in("Telemetry", lib.namespace)
	theirs := selector_labels(other)
	count(theirs) > 0
	names := sort([sprintf("%s/%s", [w.kind, w.name]) | some w in candidates; workloads.matches_labels(theirs, w.labels)])
	count(names) > 0
}

selector_labels(o) := object.get(object.get(object.get(o, "spec", {}), "selector", {}), "matchLabels", {})
