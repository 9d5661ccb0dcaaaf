# METADATA
# title: Sidecar selector must match a workload
# description: |
#   A Sidecar whose `spec.workloadSelector.labels` matches no workload of its namespace configures nothing, usually because
#   of a typo in a label (istioctl IST0101 ReferencedResourceNotFound, "Referenced selector not
#   found"). As istioctl does, only the Sidecar's own namespace is searched and a Sidecar without
#   labels is not checked. The labels are matched against the pod (template) labels of the Pods,
#   Deployments, StatefulSets, DaemonSets and ReplicaSets of the namespace. Inventory: the rule only
#   speaks when a workload kind is known AND the namespace holds at least one workload; on a cache
#   miss or in a namespace with no workloads yet (configuration applied before its Deployments) it
#   stays silent. In a cluster, bare Pods are not watched: a selector that matches only bare Pods
#   in a namespace that also has Deployments is reported (`meshguard check` sees the Pods given).
# custom:
#   id: sc-selector-no-workload
#   severity: high
#   enforcement: warn
#   fix: 'Correct spec.workloadSelector.labels to the labels of the pods it is meant for, or deploy the workload first.'
#   why: 'the Sidecar configures nothing yet; it may be applied before its workload'
#   kinds: [Sidecar]
#   istioCode: IST0101
package meshguard.rules.sc_selector_no_workload

import data.meshguard.lib
import data.meshguard.lib.security

violation contains {
	"id": "sc-selector-no-workload",
	"message": sprintf("Sidecar %s/%s: referenced selector not found: %s (no workload in namespace %s has these labels)", [lib.namespace, lib.name, security.selector_string(labels), lib.namespace]),
	"details": {"field": "spec.workloadSelector.labels", "labels": labels},
} if {
	lib.is_kind("Sidecar")
	labels := object.get(object.get(lib.obj.spec, "workloadSelector", {}), "labels", {})
	security.selects_nothing(labels, lib.namespace)
}
