package meshguard.rules.route_vs_host_conflict_test

import data.meshguard.rules.route_vs_host_conflict

review(group, kind, obj) := {"request": {
	"uid": "1",
	"kind": {"group": group, "version": "v1", "kind": kind},
	"namespace": obj.metadata.namespace,
	"operation": "CREATE",
	"object": obj,
}}

route(ns, name, parents, hostnames) := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": name, "namespace": ns}, "spec": {"parentRefs": parents, "hostnames": hostnames}}

vs(ns, name, hosts, gateways) := {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": name, "namespace": ns}, "spec": {"hosts": hosts, "gateways": gateways}}

test_routes_on_other_gateways_or_hosts_pass if {
	inv := {"VirtualService": {"infra": {
		"blog": vs("infra", "blog", ["blog.example.com"], ["public"]),
		"other": vs("infra", "other", ["store.example.com"], ["private"]),
	}}}
	count(route_vs_host_conflict.violation) == 0 with input as review("gateway.networking.k8s.io", "HTTPRoute", route("infra", "store", [{"name": "public"}], ["store.example.com"]))
		with data.meshguard.inventory as inv
}

test_a_route_sharing_a_gateway_host_with_a_virtual_service_warns if {
	route_vs_host_conflict.violation == {{
		"id": "route-vs-host-conflict",
		"message": "HTTPRoute store/store routes traffic on Gateway infra/public (spec.parentRefs[0]), where VirtualService infra/legacy also routes host *.example.com; Istio merges the two in no defined order",
		"details": {"field": "spec.parentRefs[0]", "virtualService": {"namespace": "infra", "name": "legacy"}, "host": "*.example.com"},
	}} with input as review("gateway.networking.k8s.io", "HTTPRoute", route("store", "store", [{"name": "public", "namespace": "infra"}], ["store.example.com"]))
		with data.meshguard.inventory as {"VirtualService": {"infra": {"legacy": vs("infra", "legacy", ["*.example.com"], ["public"])}}}
}

test_a_virtual_service_for_a_routed_service_warns if {
	route_vs_host_conflict.violation == {{
		"id": "route-vs-host-conflict",
		"message": "VirtualService bookinfo/reviews routes host reviews.bookinfo.svc.cluster.local (spec.hosts[0]) for Service bookinfo/reviews, where HTTPRoute bookinfo/reviews also routes it; Istio merges the two in no defined order",
		"details": {"field": "spec.hosts[0]", "route": {"kind": "HTTPRoute", "namespace": "bookinfo", "name": "reviews"}, "host": "reviews.bookinfo.svc.cluster.local"},
	}} with input as review("networking.istio.io", "VirtualService", vs("bookinfo", "reviews", ["reviews.bookinfo.svc.cluster.local"], []))
		with data.meshguard.inventory as {"HTTPRoute": {"bookinfo": {"reviews": route("bookinfo", "reviews", [{"group": "", "kind": "Service", "name": "reviews"}], [])}}}
}

test_a_gateway_bound_virtual_service_does_not_conflict_with_mesh_routing if {
	count(route_vs_host_conflict.violation) == 0 with input as review("networking.istio.io", "VirtualService", vs("bookinfo", "reviews", ["reviews"], ["infra/public"]))
		with data.meshguard.inventory as {"HTTPRoute": {"bookinfo": {"reviews": route("bookinfo", "reviews", [{"group": "", "kind": "Service", "name": "reviews"}], [])}}}
}
