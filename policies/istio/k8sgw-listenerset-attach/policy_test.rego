package meshguard.rules.k8sgw_listenerset_attach_test

import data.meshguard.rules.k8sgw_listenerset_attach

listener_set(ns, parent_ref) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "ListenerSet"},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "ListenerSet", "metadata": {"name": "team", "namespace": ns}, "spec": {"parentRef": parent_ref, "listeners": [{"name": "a", "port": 443, "protocol": "HTTPS", "hostname": "a.example.com"}]}},
}}

gateway(name, allowed) := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": name, "namespace": "infra"}, "spec": object.union({"gatewayClassName": "istio", "listeners": []}, allowed)}

inventory := {
	"KubernetesGateway": {"infra": {
		"closed": gateway("closed", {}),
		"same": gateway("same", {"allowedListeners": {"namespaces": {"from": "Same"}}}),
		"all": gateway("all", {"allowedListeners": {"namespaces": {"from": "All"}}}),
		"teams": gateway("teams", {"allowedListeners": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"shared-gateway": "true"}}}}}),
	}},
	"Namespace": {"": {
		"team-a": {"kind": "Namespace", "metadata": {"name": "team-a", "labels": {"shared-gateway": "true"}}},
		"team-b": {"kind": "Namespace", "metadata": {"name": "team-b"}},
	}},
}

test_admitted_listener_sets_pass if {
	every args in [["team-a", "all"], ["team-a", "teams"], ["infra", "same"]] {
		count(k8sgw_listenerset_attach.violation) == 0 with input as listener_set(args[0], {"name": args[1], "namespace": "infra"})
			with data.meshguard.inventory as inventory
	}
}

test_refused_listener_sets_are_denied if {
	k8sgw_listenerset_attach.violation == {{
		"id": "k8sgw-listenerset-attach",
		"message": "ListenerSet team-a/team does not attach to its parentRef: Gateway infra/closed does not allow it: spec.allowedListeners.namespaces.from is None (the default)",
		"details": {"field": "spec.parentRef", "parent": {"namespace": "infra", "name": "closed"}},
	}} with input as listener_set("team-a", {"name": "closed", "namespace": "infra"})
		with data.meshguard.inventory as inventory
	k8sgw_listenerset_attach.violation == {{
		"id": "k8sgw-listenerset-attach",
		"message": "ListenerSet team-b/team does not attach to its parentRef: Gateway infra/teams does not allow it: spec.allowedListeners.namespaces.selector does not select namespace team-b",
		"details": {"field": "spec.parentRef", "parent": {"namespace": "infra", "name": "teams"}},
	}} with input as listener_set("team-b", {"name": "teams", "namespace": "infra"})
		with data.meshguard.inventory as inventory
	k8sgw_listenerset_attach.violation == {{
		"id": "k8sgw-listenerset-attach",
		"message": "ListenerSet team-a/team does not attach to its parentRef: Gateway infra/same does not allow it: spec.allowedListeners.namespaces.from is Same and the ListenerSet is not in namespace infra",
		"details": {"field": "spec.parentRef", "parent": {"namespace": "infra", "name": "same"}},
	}} with input as listener_set("team-a", {"name": "same", "namespace": "infra"})
		with data.meshguard.inventory as inventory
}

test_a_missing_gateway_is_denied if {
	k8sgw_listenerset_attach.violation == {{
		"id": "k8sgw-listenerset-attach",
		"message": "ListenerSet team-a/team does not attach to its parentRef: Gateway infra/gone does not exist",
		"details": {"field": "spec.parentRef.name", "parent": {"namespace": "infra", "name": "gone"}},
	}} with input as listener_set("team-a", {"name": "gone", "namespace": "infra"})
		with data.meshguard.inventory as inventory
}
