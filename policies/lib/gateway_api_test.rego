package meshguard.lib.gateway_api_test

import data.meshguard.lib
import data.meshguard.lib.gateway_api

test_hostname_intersection_follows_the_specification if {
	gateway_api.intersects("store.example.com", "store.example.com")
	gateway_api.intersects("*.example.com", "store.example.com")
	gateway_api.intersects("a.b.example.com", "*.example.com")
	gateway_api.intersects("*.example.com", "*.b.example.com")
	gateway_api.intersects("*.b.example.com", "*.example.com")
	not gateway_api.intersects("*.example.com", "example.com")
	not gateway_api.intersects("store.example.com", "blog.example.com")
	not gateway_api.intersects("*.example.com", "*.example.org")
	not gateway_api.intersects("*.example.com", "store.notexample.com")
}

listener(protocol, extra) := object.union({"name": "l", "port": 80, "protocol": protocol}, extra)

test_default_kinds_by_protocol if {
	not gateway_api.kind_problem(listener("HTTP", {}), "HTTPRoute")
	not gateway_api.kind_problem(listener("HTTPS", {}), "GRPCRoute")
	not gateway_api.kind_problem(listener("TLS", {}), "TLSRoute")
	not gateway_api.kind_problem(listener("TLS", {}), "TCPRoute")
	gateway_api.kind_problem(listener("TCP", {}), "HTTPRoute") == "protocol TCP carries only TCPRoute"
	not gateway_api.kind_problem(listener("HBONE", {}), "HTTPRoute")
}

test_configured_kinds_replace_the_defaults if {
	l := listener("HTTP", {"allowedRoutes": {"kinds": [{"kind": "GRPCRoute"}]}})
	gateway_api.kind_problem(l, "HTTPRoute") == "allowedRoutes.kinds admits only GRPCRoute"
	not gateway_api.kind_problem(l, "GRPCRoute")
}

test_namespaces_same_all_selector if {
	gateway_api.namespace_problem(listener("HTTP", {}), "infra", "store") == "allowedRoutes.namespaces.from is Same and the route is not in namespace infra"
	not gateway_api.namespace_problem(listener("HTTP", {}), "infra", "infra")
	not gateway_api.namespace_problem(listener("HTTP", {"allowedRoutes": {"namespaces": {"from": "All"}}}), "infra", "store")
	by_name := listener("HTTP", {"allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"kubernetes.io/metadata.name": "store"}}}}})
	not gateway_api.namespace_problem(by_name, "infra", "store") with data.meshguard.inventory as namespaces
	gateway_api.namespace_problem(by_name, "infra", "blog") == "allowedRoutes.namespaces.selector does not select namespace blog" with data.meshguard.inventory as namespaces
}

test_selector_over_an_unknown_namespace_is_not_judged if {
	by_label := listener("HTTP", {"allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"team": "store"}}}}})
	not gateway_api.namespace_problem(by_label, "infra", "elsewhere") with data.meshguard.inventory as namespaces
}

namespaces := {"Namespace": {"": {
	"store": {"kind": "Namespace", "metadata": {"name": "store"}},
	"blog": {"kind": "Namespace", "metadata": {"name": "blog", "labels": {"team": "blog"}}},
}}}

test_grants_match_kind_namespace_and_name if {
	inv := {"ReferenceGrant": {"certs": {"g": {"kind": "ReferenceGrant", "metadata": {"name": "g", "namespace": "certs"}, "spec": {
		"from": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "infra"}],
		"to": [{"group": "", "kind": "Secret", "name": "store-cert"}],
	}}}}}
	gateway_api.granted("Gateway", "infra", "core", "Secret", "certs", "store-cert") with data.meshguard.inventory as inv
	not gateway_api.granted("Gateway", "infra", "", "Secret", "certs", "other-cert") with data.meshguard.inventory as inv
	not gateway_api.granted("Gateway", "shop", "", "Secret", "certs", "store-cert") with data.meshguard.inventory as inv
	not gateway_api.granted("HTTPRoute", "infra", "", "Secret", "certs", "store-cert") with data.meshguard.inventory as inv
}

test_a_gateway_api_gateway_is_a_kubernetes_gateway_to_the_rules if {
	lib.kind == "KubernetesGateway" with input as {"request": {"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "Gateway"}}}
	lib.kind == "Gateway" with input as {"request": {"kind": {"group": "networking.istio.io", "version": "v1", "kind": "Gateway"}}}
	lib.kind == "HTTPRoute" with input as {"request": {"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "HTTPRoute"}}}
	lib.kind == "Pod" with input as {"request": {"kind": {"version": "v1", "kind": "Pod"}}}
}
