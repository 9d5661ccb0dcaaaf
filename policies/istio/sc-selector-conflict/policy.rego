# METADATA
# title: Sidecars must not select the same workload
# description: |
#   When two Sidecars with a `workloadSelector` both match the same workload, which one its proxy
#   uses is undefined (istioctl IST0110 ConflictingSidecarWorkloadSelectors). The selectors are
#   matched against the pod (template) labels of the Pods, Deployments, StatefulSets, DaemonSets
#   and ReplicaSets of the Sidecar's namespace. Inventory: needs Sidecar and at least one of those
#   workload kinds; on a cache miss the rule stays silent.
# custom:
#   id: sc-selector-conflict
#   severity: high
#   enforcement: deny
#   fix: 'Narrow the workloadSelector labels so each workload is selected by one Sidecar, or merge the Sidecars.'
#   why: 'which Sidecar a proxy uses is undefined (traffic)'
#   kinds: [Sidecar]
#   istioCode: IST0110
package meshguard.rules.sc_selector_conflict

import data.meshguard.lib
import data.meshguard.lib.workloads

violation contains {
	"id": "sc-selector-conflict",
	"message": sprintf("Sidecar %s/%s and Sidecar %s/%s both select %s: which one applies is undefined", [lib.namespace, lib.name, lib.namespace, other.metadata.name, json.marshal(names)]),
	"details": {"field": "spec.workloadSelector.labels", "conflictingSidecar": other.metadata.name, "workloads": names},
} if {
	lib.is_kind("Sidecar")
	lib.known("Sidecar")
	workloads.selectable_known
	mine := selector_labels(lib.obj)
	count(mine) > 0
	some other in lib.items_in("Sidecar", lib.namespace)
	theirs := selector_labels(other)
	count(theirs) > 0
	names := sort([sprintf("%s/%s", [w.kind, w.name]) |
		some w in workloads.workloads_in(lib.namespace)
		workloads.matches_labels(mine, w.labels)
		workloads.matches_labels(theirs, w.labels)
	])
	count(names) > 0
}

selector_labels(o) := object.get(object.get(object.get(o, "spec", {}), "workloadSelector", {}), "labels", {})
