# METADATA
# title: Gateway selectors must match a gateway workload
# description: |
#   A Gateway whose selector matches no workload configures no proxy (istioctl IST0101
#   ReferencedResourceNotFound "selector", gateway.IngressGatewayPortAnalyzer). istioctl looks for
#   Pods in every namespace; meshguard matches the selector against the Pods and the pod templates
#   of Deployments, StatefulSets, DaemonSets and ReplicaSets of the inventory (the webhook watches
#   the workload kinds, not Pods, so a gateway run by bare Pods alone is reported). Inventory: the
#   rule speaks only when one of those kinds is known and holds at least one workload; otherwise
#   (a cache miss, `meshguard check` without workloads) it stays silent. It also stays silent
#   unless the inventory covers the Gateway's namespace and Istio's root namespace, where gateway
#   workloads are installed by default (the Namespace is known, or a workload of that namespace was
#   given): always in a cluster; offline only when the files speak for both.
# custom:
#   id: gw-selector-workload
#   severity: high
#   enforcement: warn
#   fix: 'Correct spec.selector to the labels of the gateway pods (e.g. `istio: ingressgateway`), or install the gateway workload first.'
#   why: 'the Gateway configures nothing yet; it may be applied before its gateway workload'
#   kinds: [Gateway]
#   istioCode: IST0101
package meshguard.rules.gw_selector_workload

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routing
import data.meshguard.lib.workloads

violation contains {
	"id": "gw-selector-workload",
	"message": concat("", [
		"Gateway ", lib.namespace, "/", lib.name, " selects no workload: no Pod or workload in any namespace has the labels ",
		selector, " (spec.selector; Referenced selector not found: \"", selector, "\")",
	]),
	"details": {"field": "spec.selector", "selector": selector},
} if {
	lib.is_kind("Gateway")
	workloads.selectable_known
	workloads.any_workload
	count(routing.gateway_workloads) == 0
	workloads.covers(lib.namespace)
	workloads.covers(lib.mesh("rootNamespace", "istio-system"))
	selector := networking.selector_string(lib.obj)
}
