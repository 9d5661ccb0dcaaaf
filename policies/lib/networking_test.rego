package meshguard.lib.networking_test

import data.meshguard.lib.networking

test_durations if {
	networking.duration_ms("1.5s") == 1500
	networking.duration_ms("200ms") == 200
	networking.duration_ms("1m30s") == 90000
	networking.duration_ms("1h") == 3600000
	networking.duration_ms(".5s") == 500
	networking.duration_ms("0") == 0
	networking.duration_ms("250us") == 0.25
}

test_invalid_durations if {
	not networking.duration_ms("5")
	not networking.duration_ms("5 s")
	not networking.duration_ms("s")
	not networking.duration_ms("-1s")
	not networking.duration_ms(5)
	not networking.duration_ms("1d")
}

test_host_subset if {
	networking.host_subset("a.example.com", "a.example.com")
	networking.host_subset("a.example.com", "*")
	networking.host_subset("a.example.com", "*.example.com")
	networking.host_subset("*.a.example.com", "*.example.com")
	not networking.host_subset("example.com", "*.example.com")
	not networking.host_subset("*.example.com", "*.a.example.com")
	not networking.host_subset("b.example.com", "a.example.com")
}

test_host_matches_both_ways if {
	networking.host_matches("*.example.com", "a.example.com")
	networking.host_matches("a.example.com", "*.example.com")
	not networking.host_matches("a.example.com", "b.example.com")
}

test_cluster_local if {
	networking.cluster_local("reviews", "prod")
	networking.cluster_local("reviews.prod.svc.cluster.local", "prod")
	networking.cluster_local("*.prod.svc.cluster.local", "prod")
	networking.cluster_local("*.local", "prod")
	networking.cluster_local("*", "prod")
	not networking.cluster_local("www.example.com", "prod")
	not networking.cluster_local("*.example.com", "prod")
}

test_service_namespace if {
	networking.service_namespace("reviews", "prod") == "prod"
	networking.service_namespace("reviews.other.svc.cluster.local", "prod") == "other"
	networking.service_namespace("*.other.svc.cluster.local", "prod") == "other"
	not networking.service_namespace("*.svc.cluster.local", "prod")
	not networking.service_namespace("*.local", "prod")
	not networking.service_namespace("www.example.com", "prod")
}

inventory := {
	"Namespace": {"": {
		"meshed": {"metadata": {"name": "meshed", "labels": {"istio-injection": "enabled"}}},
		"plain": {"metadata": {"name": "plain"}},
	}},
	"ServiceEntry": {"meshed": {
		"legacy": {
			"kind": "ServiceEntry",
			"metadata": {"name": "legacy", "namespace": "meshed"},
			"spec": {"hosts": ["legacy.meshed.svc.cluster.local"]},
		},
		"vm": {
			"kind": "ServiceEntry",
			"metadata": {"name": "vm", "namespace": "meshed"},
			"spec": {"hosts": ["vm.meshed.svc.cluster.local"], "location": "MESH_INTERNAL"},
		},
	}},
}

test_in_mesh_host if {
	networking.in_mesh_host("reviews", "meshed", true) with data.meshguard.inventory as inventory
	networking.in_mesh_host("*.local", "plain", false) with data.meshguard.inventory as inventory
	networking.in_mesh_host("reviews.unknown.svc.cluster.local", "meshed", true) with data.meshguard.inventory as inventory
	networking.in_mesh_host("vm", "meshed", true) with data.meshguard.inventory as inventory
}

test_not_in_mesh_host if {
	not networking.in_mesh_host("reviews", "plain", true) with data.meshguard.inventory as inventory
	not networking.in_mesh_host("legacy", "meshed", true) with data.meshguard.inventory as inventory
	not networking.in_mesh_host("www.example.com", "meshed", true) with data.meshguard.inventory as inventory
	not networking.in_mesh_host("reviews.unknown.svc.cluster.local", "meshed", false) with data.meshguard.inventory as inventory
}

pa(ns, name, mode, selector) := {
	"kind": "PeerAuthentication",
	"metadata": {"name": name, "namespace": ns},
	"spec": object.union({"mtls": {"mode": mode}}, selector),
}

test_namespace_mtls_own_namespace_wins if {
	networking.namespace_mtls("prod") == {{"mode": "PERMISSIVE", "policy": "prod/default"}} with data.meshguard.inventory as {"PeerAuthentication": {
		"prod": {"default": pa("prod", "default", "PERMISSIVE", {})},
		"istio-system": {"default": pa("istio-system", "default", "STRICT", {})},
	}}
}

test_namespace_mtls_falls_back_to_root if {
	networking.namespace_mtls("prod") == {{"mode": "STRICT", "policy": "istio-system/default"}} with data.meshguard.inventory as {"PeerAuthentication": {
		"prod": {
			"unset": pa("prod", "unset", "UNSET", {}),
			"workload": pa("prod", "workload", "DISABLE", {"selector": {"matchLabels": {"app": "a"}}}),
		},
		"istio-system": {"default": pa("istio-system", "default", "STRICT", {})},
	}}
}

test_gateway_ref if {
	networking.gateway_ref("istio-system/ingress", "prod") == {"namespace": "istio-system", "name": "ingress"}
	networking.gateway_ref("ingress", "prod") == {"namespace": "prod", "name": "ingress"}
	networking.gateway_ref("ingress.edge.svc.cluster.local", "prod") == {"namespace": "edge", "name": "ingress"}
}

test_bound_to_mesh if {
	networking.bound_to_mesh({"spec": {}})
	networking.bound_to_mesh({"spec": {"gateways": ["gw", "mesh"]}})
	not networking.bound_to_mesh({"spec": {"gateways": ["gw"]}})
}

test_traffic_policies if {
	networking.traffic_policies({
		"trafficPolicy": {"tls": {"mode": "DISABLE"}, "portLevelSettings": [{"port": {"number": 80}}]},
		"subsets": [{"name": "v1", "trafficPolicy": {"portLevelSettings": [{"port": {"number": 8080}}]}}],
	}) == [
		{"field": "spec.trafficPolicy", "policy": {"tls": {"mode": "DISABLE"}, "portLevelSettings": [{"port": {"number": 80}}]}, "port": "", "subset": ""},
		{"field": "spec.trafficPolicy.portLevelSettings[0]", "policy": {"port": {"number": 80}}, "port": "80", "subset": ""},
		{"field": "spec.subsets[0].trafficPolicy", "policy": {"portLevelSettings": [{"port": {"number": 8080}}]}, "port": "", "subset": "v1"},
		{"field": "spec.subsets[0].trafficPolicy.portLevelSettings[0]", "policy": {"port": {"number": 8080}}, "port": "8080", "subset": "v1"},
	]
}

test_server_host if {
	networking.server_host("./a.com", "edge") == {"namespace": "edge", "host": "a.com"}
	networking.server_host("prod/a.com", "edge") == {"namespace": "prod", "host": "a.com"}
	networking.server_host("a.com", "edge") == {"namespace": "*", "host": "a.com"}
}

test_fqdn if {
	networking.fqdn("reviews", "prod") == "reviews.prod.svc.cluster.local"
	networking.fqdn("*", "prod") == "*"
	networking.fqdn("*.example.com", "prod") == "*.example.com"
	networking.fqdn("a.b", "prod") == "a.b"
	not networking.service_namespace("*", "prod")
}
