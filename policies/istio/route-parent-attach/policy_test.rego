package meshguard.rules.route_parent_attach_test

import data.meshguard.rules.route_parent_attach

route(kind, ns, spec) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": kind},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind, "metadata": {"name": "store", "namespace": ns}, "spec": spec},
}}

gateway(ns, name, listeners) := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": name, "namespace": ns}, "spec": {"gatewayClassName": "istio", "listeners": listeners}}

inventory := {
	"KubernetesGateway": {"infra": {"public": gateway("infra", "public", [
		{"name": "http", "port": 80, "protocol": "HTTP", "hostname": "*.example.com", "allowedRoutes": {"namespaces": {"from": "All"}}},
		{"name": "tcp", "port": 5432, "protocol": "TCP", "allowedRoutes": {"namespaces": {"from": "All"}}},
	])}},
	"Service": {"bookinfo": {"reviews": {"kind": "Service", "metadata": {"name": "reviews", "namespace": "bookinfo"}, "spec": {"ports": [{"name": "http", "port": 9080}]}}}},
}

parent(kind, ns, name) := {"kind": kind, "namespace": ns, "name": name}

test_attached_routes_pass if {
	count(route_parent_attach.violation) == 0 with input as route("HTTPRoute", "store", {"parentRefs": [{"name": "public", "namespace": "infra", "sectionName": "http"}], "hostnames": ["store.example.com"]})
		with data.meshguard.inventory as inventory
	count(route_parent_attach.violation) == 0 with input as route("TCPRoute", "store", {"parentRefs": [{"name": "public", "namespace": "infra", "port": 5432}]})
		with data.meshguard.inventory as inventory
	count(route_parent_attach.violation) == 0 with input as route("HTTPRoute", "bookinfo", {"parentRefs": [{"group": "", "kind": "Service", "name": "reviews", "port": 9080}]})
		with data.meshguard.inventory as inventory
}

test_missing_parents_are_denied if {
	route_parent_attach.violation == {
		{
			"id": "route-parent-attach",
			"message": "HTTPRoute infra/store does not attach to parentRefs[0] (Gateway infra/private): Gateway infra/private does not exist",
			"details": {"field": "spec.parentRefs[0].name", "parent": parent("Gateway", "infra", "private")},
		},
		{
			"id": "route-parent-attach",
			"message": "HTTPRoute infra/store does not attach to parentRefs[1] (Service bookinfo/ratings): Service bookinfo/ratings does not exist",
			"details": {"field": "spec.parentRefs[1].name", "parent": parent("Service", "bookinfo", "ratings")},
		},
		{
			"id": "route-parent-attach",
			"message": "HTTPRoute infra/store does not attach to parentRefs[2] (Service bookinfo/reviews): Service bookinfo/reviews has no port 8080",
			"details": {"field": "spec.parentRefs[2].port", "parent": parent("Service", "bookinfo", "reviews")},
		},
		{
			"id": "route-parent-attach",
			"message": "HTTPRoute infra/store does not attach to parentRefs[3] (Service bookinfo/reviews): Service bookinfo/reviews has no port named grpc",
			"details": {"field": "spec.parentRefs[3].sectionName", "parent": parent("Service", "bookinfo", "reviews")},
		},
	} with input as route("HTTPRoute", "infra", {"parentRefs": [
		{"name": "private"},
		{"group": "", "kind": "Service", "name": "ratings", "namespace": "bookinfo"},
		{"group": "", "kind": "Service", "name": "reviews", "namespace": "bookinfo", "port": 8080},
		{"group": "", "kind": "Service", "name": "reviews", "namespace": "bookinfo", "sectionName": "grpc"},
		{"group": "", "kind": "Service", "name": "reviews", "namespace": "bookinfo", "sectionName": "http", "port": 9080},
	]})
		with data.meshguard.inventory as inventory
}

test_listeners_that_do_not_exist_or_admit_are_denied if {
	route_parent_attach.violation == {
		{
			"id": "route-parent-attach",
			"message": "HTTPRoute store/store does not attach to parentRefs[0] (Gateway infra/public): Gateway infra/public has no listener named https",
			"details": {"field": "spec.parentRefs[0].sectionName", "parent": parent("Gateway", "infra", "public")},
		},
		{
			"id": "route-parent-attach",
			"message": "HTTPRoute store/store does not attach to parentRefs[1] (Gateway infra/public): Gateway infra/public has no listener on port 443",
			"details": {"field": "spec.parentRefs[1].port", "parent": parent("Gateway", "infra", "public")},
		},
		{
			"id": "route-parent-attach",
			"message": "HTTPRoute store/store does not attach to parentRefs[2] (Gateway infra/public): no listener of Gateway infra/public admits it (listener http: listener hostname *.example.com matches none of the route's hostnames; listener tcp: protocol TCP carries only TCPRoute)",
			"details": {"field": "spec.parentRefs[2]", "parent": parent("Gateway", "infra", "public")},
		},
	} with input as route("HTTPRoute", "store", {"hostnames": ["store.example.org"], "parentRefs": [
		{"name": "public", "namespace": "infra", "sectionName": "https"},
		{"name": "public", "namespace": "infra", "port": 443},
		{"name": "public", "namespace": "infra"},
	]})
		with data.meshguard.inventory as inventory
}

test_unknown_or_uncovered_parents_are_not_judged if {
	count(route_parent_attach.violation) == 0 with input as route("HTTPRoute", "store", {"parentRefs": [{"name": "public", "namespace": "edge"}]})
		with data.meshguard.inventory as inventory
	count(route_parent_attach.violation) == 0 with input as route("HTTPRoute", "infra", {"parentRefs": [{"name": "private"}]})
		with data.meshguard.inventory as {}
}

test_other_kinds_and_deletes_are_not_judged if {
	review := route("HTTPRoute", "infra", {"parentRefs": [{"name": "private"}]})
	count(route_parent_attach.violation) == 0 with input as object.union(review, {"request": {"operation": "DELETE"}})
		with data.meshguard.inventory as inventory
	count(route_parent_attach.violation) == 0 with input as object.union(review, {"request": {"kind": {"group": "networking.istio.io"}}})
		with data.meshguard.inventory as inventory
}

test_a_listener_set_parent_is_judged_by_its_own_listeners if {
	inv := object.union(inventory, {"ListenerSet": {"team": {"team-listeners": {
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "ListenerSet", "metadata": {"name": "team-listeners", "namespace": "team"},
		"spec": {"parentRef": {"name": "public", "namespace": "infra"}, "listeners": [{"name": "team", "port": 8080, "protocol": "HTTP", "hostname": "team.example.com"}]},
	}}}})
	count(route_parent_attach.violation) == 0 with input as route("HTTPRoute", "team", {"parentRefs": [{"kind": "ListenerSet", "name": "team-listeners", "sectionName": "team"}], "hostnames": ["team.example.com"]})
		with data.meshguard.inventory as inv
	route_parent_attach.violation == {{
		"id": "route-parent-attach",
		"message": "HTTPRoute store/store does not attach to parentRefs[0] (ListenerSet team/team-listeners): no listener of ListenerSet team/team-listeners admits it (listener team: allowedRoutes.namespaces.from is Same and the route is not in namespace team)",
		"details": {"field": "spec.parentRefs[0]", "parent": parent("ListenerSet", "team", "team-listeners")},
	}} with input as route("HTTPRoute", "store", {"parentRefs": [{"kind": "ListenerSet", "name": "team-listeners", "namespace": "team"}]})
		with data.meshguard.inventory as inv
}
