# METADATA
# title: AuthorizationPolicy selector must match a workload
# description: |
#   An AuthorizationPolicy whose `selector.matchLabels` matches no workload protects nothing,
#   usually because of a typo in a label (istioctl IST0127 NoMatchingWorkloadsFound). The labels
#   are matched against the pod (template) labels of the Pods, Deployments, StatefulSets,
#   DaemonSets and ReplicaSets of the policy's namespace, or of every namespace for a policy in the
#   root namespace (mesh config `rootNamespace`). Inventory: the rule only speaks when at least one
#   of those kinds is in the inventory AND the scope holds at least one such workload; on a cache
#   miss (none of the kinds known) or in a namespace with no workloads yet (policies applied
#   before their Deployments, a new namespace) it stays silent.
#   Policies without a selector or with targetRefs are not checked.
# custom:
#   id: ap-selector-no-workload
#   severity: medium
#   enforcement: warn
#   fix: 'Correct selector.matchLabels to the labels of the pods the policy is meant for, or deploy the workload first.'
#   why: 'the policy does nothing yet; it may be applied before its workload'
#   kinds: [AuthorizationPolicy]
#   istioCode: IST0127
package meshguard.rules.ap_selector_no_workload

import data.meshguard.lib
import data.meshguard.lib.workloads

violation contains {
	"id": "ap-selector-no-workload",
	"message": sprintf("AuthorizationPolicy %s/%s selects no workload: nothing in %s has the labels %s", [lib.namespace, lib.name, scope, json.marshal(match_labels)]),
	"details": {"field": "spec.selector.matchLabels", "matchLabels": match_labels, "scope": scope},
} if {
	lib.is_kind("AuthorizationPolicy")
	match_labels := object.get(object.get(lib.obj.spec, "selector", {}), "matchLabels", {})
	is_object(match_labels)
	count(match_labels) > 0
	workloads.selectable_known
	any_candidate
	not any_match(match_labels)
}

root_namespace := lib.mesh("rootNamespace", "istio-system")

scope := "every namespace (root namespace policy)" if {
	lib.namespace == root_namespace
} else := sprintf("namespace %s", [lib.namespace])

# any_candidate holds when the policy's scope has a workload at all: every namespace for a root
# namespace policy, else its own.
any_candidate if {
	lib.namespace == root_namespace
	workloads.any_workload
}

any_candidate if {
	lib.namespace != root_namespace
	workloads.any_workload_in(lib.namespace)
}

any_match(match_labels) if {
	lib.namespace == root_namespace
	workloads.selects_any(match_labels)
}

any_match(match_labels) if {
	lib.namespace != root_namespace
	workloads.selects_any_in(match_labels, lib.namespace)
}
