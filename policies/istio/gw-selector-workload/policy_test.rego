package meshguard.rules.gw_selector_workload_test

import data.meshguard.rules.gw_selector_workload

review(selector) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "Gateway"},
	"namespace": "edge",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "Gateway",
		"metadata": {"name": "public", "namespace": "edge"},
		"spec": {"selector": selector, "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]},
	},
}}

deployment(ns, name, labels) := {"kind": "Deployment", "metadata": {"name": name, "namespace": ns}, "spec": {"template": {"metadata": {"labels": labels}}}}

inventory := {"Deployment": {"istio-system": {"ingress": deployment("istio-system", "ingress", {"istio": "ingressgateway", "app": "istio-ingressgateway"})}}}

test_selector_matching_nothing_is_denied if {
	gw_selector_workload.violation == {{
		"id": "gw-selector-workload",
		"message": "Gateway edge/public selects no workload: no Pod or workload in any namespace has the labels app=edge,istio=ingressgateway (spec.selector; Referenced selector not found: \"app=edge,istio=ingressgateway\")",
		"details": {"field": "spec.selector", "selector": "app=edge,istio=ingressgateway"},
	}} with input as review({"istio": "ingressgateway", "app": "edge"})
		with data.meshguard.inventory as object.union(inventory, {"Namespace": {"": {"edge": {"kind": "Namespace", "metadata": {"name": "edge"}}}}})
}

test_only_a_covered_gateway_namespace_is_judged if {
	# Nothing given speaks for namespace edge: silent, as istioctl reports only against what it loaded.
	count(gw_selector_workload.violation) == 0 with input as review({"istio": "ingressgateway", "app": "edge"})
		with data.meshguard.inventory as inventory

	# A workload of namespace edge was given: the inventory covers it.
	{v.details.selector | some v in gw_selector_workload.violation} == {"app=edge,istio=ingressgateway"} with input as review({"istio": "ingressgateway", "app": "edge"})
		with data.meshguard.inventory as object.union(inventory, {"Deployment": {"edge": {"web": deployment("edge", "web", {"app": "web"})}}})
}

test_an_uncovered_root_namespace_is_silent if {
	# Gateway workloads usually run in Istio's root namespace: with nothing given for it, the files
	# cannot say that no workload matches.
	no_root := {"Deployment": {"edge": {"web": deployment("edge", "web", {"app": "web"})}}}
	count(gw_selector_workload.violation) == 0 with input as review({"istio": "ingressgateway", "app": "edge"})
		with data.meshguard.inventory as no_root
}

test_selector_matching_a_workload_in_another_namespace_is_allowed if {
	count(gw_selector_workload.violation) == 0 with input as review({"istio": "ingressgateway"})
		with data.meshguard.inventory as inventory
}

test_no_workloads_known_or_none_at_all_is_silent if {
	count(gw_selector_workload.violation) == 0 with input as review({"istio": "nothing"})
		with data.meshguard.inventory as {"Gateway": {}}
	count(gw_selector_workload.violation) == 0 with input as review({"istio": "nothing"})
		with data.meshguard.inventory as {"Deployment": {}}
}
