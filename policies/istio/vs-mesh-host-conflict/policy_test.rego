package meshguard.rules.vs_mesh_host_conflict_test

import data.meshguard.rules.vs_mesh_host_conflict

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

vs(ns, name, spec) := {"kind": "VirtualService", "metadata": {"name": name, "namespace": ns}, "spec": spec}

test_same_mesh_host_is_denied if {
	vs_mesh_host_conflict.violation == {{
		"id": "vs-mesh-host-conflict",
		"message": "VirtualService prod/my-app and VirtualService prod/my-app-canary are both bound to the mesh gateway and define host my-app.prod.svc.cluster.local; merge them into one VirtualService",
		"details": {"field": "spec.hosts[0]", "host": "my-app.prod.svc.cluster.local", "conflictsWith": "prod/my-app-canary"},
	}} with input as review({"hosts": ["my-app"]})
		with data.meshguard.inventory as {"VirtualService": {
			"prod": {"my-app-canary": vs("prod", "my-app-canary", {"hosts": ["my-app.prod.svc.cluster.local"], "gateways": ["mesh", "edge/public"]})},
			"other": {"my-app": vs("other", "my-app", {"hosts": ["my-app"]})},
		}}
}

test_gateway_only_and_private_scopes_do_not_conflict if {
	count(vs_mesh_host_conflict.violation) == 0 with input as review({"hosts": ["my-app.prod.svc.cluster.local"], "exportTo": ["."]})
		with data.meshguard.inventory as {"VirtualService": {
			"prod": {"edge": vs("prod", "edge", {"hosts": ["my-app"], "gateways": ["edge/public"]})},
			"team-b": {"local": vs("team-b", "local", {"hosts": ["my-app.prod.svc.cluster.local"], "exportTo": ["."]})},
		}}
}

test_the_object_itself_is_not_a_conflict if {
	count(vs_mesh_host_conflict.violation) == 0 with input as review({"hosts": ["my-app"]})
		with data.meshguard.inventory as {"VirtualService": {"prod": {"my-app": vs("prod", "my-app", {"hosts": ["my-app"]})}}}
}

test_unknown_virtual_services_are_silent if {
	count(vs_mesh_host_conflict.violation) == 0 with input as review({"hosts": ["my-app"]})
}

test_delete_is_ignored if {
	count(vs_mesh_host_conflict.violation) == 0 with input as delete({"hosts": ["my-app"]})
		with data.meshguard.inventory as {"VirtualService": {"prod": {"b": vs("prod", "b", {"hosts": ["my-app"]})}}}
}

test_scoped_host_conflicts_with_a_matching_host_exported_everywhere if {
	vs_mesh_host_conflict.violation == {{
		"id": "vs-mesh-host-conflict",
		"message": "VirtualService prod/my-app and VirtualService edge/wild are both bound to the mesh gateway and define host api.example.com; merge them into one VirtualService",
		"details": {"field": "spec.hosts[0]", "host": "api.example.com", "conflictsWith": "edge/wild"},
	}} with input as review({"hosts": ["api.example.com"], "exportTo": ["."]})
		with data.meshguard.inventory as {"VirtualService": {
			"edge": {"wild": vs("edge", "wild", {"hosts": ["*.example.com"]})},
			"other": {"scoped": vs("other", "scoped", {"hosts": ["*.example.com"], "exportTo": ["other"]})},
		}}
}
