package meshguard.rules.vs_gateway_host_declared_test

import data.meshguard.rules.vs_gateway_host_declared

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "VirtualService",
		"metadata": {"name": "my-app", "namespace": "prod"},
		"spec": spec,
	},
}}

delete(spec) := object.union(review(spec), {"request": {"operation": "DELETE"}})

other_kind(spec) := object.union(review(spec), {"request": {"kind": {"kind": "DestinationRule"}}})

gw(ns, name, hosts) := {"kind": "Gateway", "metadata": {"name": name, "namespace": ns}, "spec": {
	"selector": {"istio": "ingressgateway"},
	"servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": hosts}],
}}

inventory := {"Gateway": {
	"edge": {
		"shop": gw("edge", "shop", ["*.shop.example.com"]),
		"team-b": gw("edge", "team-b", ["team-b/*"]),
		"local": gw("edge", "local", ["./api.example.com"]),
	},
	"prod": {"blog": gw("prod", "blog", ["prod/blog.example.com", "*/docs.example.com"])},
}}

test_gateway_declaring_one_of_the_hosts_is_enough_like_istioctl if {
	count(vs_gateway_host_declared.violation) == 0 with input as review({"hosts": ["www.shop.example.com", "api.example.com"], "gateways": ["edge/shop"]})
		with data.meshguard.inventory as inventory
}

test_kubernetes_gateway_listeners_declare_hosts if {
	k8s := object.union(inventory, {"KubernetesGateway": {"infra": {
		"named": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "named", "namespace": "infra"}, "spec": {"listeners": [{"name": "http", "hostname": "*.example.org", "port": 80, "protocol": "HTTP"}]}},
		"any": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "any", "namespace": "infra"}, "spec": {"listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}},
	}}})
	count(vs_gateway_host_declared.violation) == 0 with input as review({"hosts": ["a.example.org"], "gateways": ["infra/named", "infra/any"]})
		with data.meshguard.inventory as k8s
	vs_gateway_host_declared.violation == {{
		"id": "vs-gateway-host-declared",
		"message": "VirtualService prod/my-app is bound to gateway infra/named, which declares none of its hosts a.example.com",
		"details": {"field": "spec.gateways", "gateway": "infra/named", "hosts": ["a.example.com"]},
	}} with input as review({"hosts": ["a.example.com"], "gateways": ["infra/named", "infra/any"]})
		with data.meshguard.inventory as k8s
}

test_gateway_declaring_nothing_warns_like_istioctl if {
	vs_gateway_host_declared.violation == {{
		"id": "vs-gateway-host-declared",
		"message": "VirtualService prod/my-app is bound to gateway edge/team-b, which declares none of its hosts blog.example.com, my-app",
		"details": {"field": "spec.gateways", "gateway": "edge/team-b", "hosts": ["blog.example.com", "my-app"]},
	}} with input as review({"hosts": ["blog.example.com", "my-app"], "gateways": ["mesh", "blog", "edge/team-b"]})
		with data.meshguard.inventory as inventory
}

test_namespace_scoped_gateway_hosts if {
	count(vs_gateway_host_declared.violation) == 0 with input as review({"hosts": ["blog.example.com", "docs.example.com"], "gateways": ["blog"]})
		with data.meshguard.inventory as inventory
	count(vs_gateway_host_declared.violation) == 1 with input as review({"hosts": ["api.example.com"], "gateways": ["edge/local"]})
		with data.meshguard.inventory as inventory
}

test_missing_gateway_is_left_to_vs_gateway_exists if {
	count(vs_gateway_host_declared.violation) == 0 with input as review({"hosts": ["a.example.com"], "gateways": ["edge/nowhere"]})
		with data.meshguard.inventory as inventory
}

test_unknown_gateways_are_silent if {
	count(vs_gateway_host_declared.violation) == 0 with input as review({"hosts": ["a.example.com"], "gateways": ["edge/shop"]})
		with data.meshguard.inventory as {"VirtualService": {}}
}

test_delete_is_ignored if {
	count(vs_gateway_host_declared.violation) == 0 with input as delete({"hosts": ["a.example.com"], "gateways": ["edge/shop"]})
		with data.meshguard.inventory as inventory
}
