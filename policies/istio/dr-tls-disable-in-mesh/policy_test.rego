package meshguard.rules.dr_tls_disable_in_mesh_test

import data.meshguard.rules.dr_tls_disable_in_mesh

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": "reviews", "namespace": "prod"},
		"spec": spec,
	},
}}

namespaces := {"Namespace": {"": {
	"prod": {"metadata": {"name": "prod", "labels": {"istio-injection": "enabled"}}},
	"legacy": {"metadata": {"name": "legacy", "labels": {"istio-injection": "disabled"}}},
}}}

test_top_level_disable_is_denied if {
	dr_tls_disable_in_mesh.violation == {{
		"id": "dr-tls-disable-in-mesh",
		"message": "DestinationRule prod/reviews sets spec.trafficPolicy.tls.mode DISABLE for in-mesh host reviews; traffic to mesh services must use mTLS (ISTIO_MUTUAL or unset)",
		"details": {"field": "spec.trafficPolicy.tls.mode", "mode": "DISABLE", "host": "reviews", "port": "", "subset": ""},
	}} with input as review({"host": "reviews", "trafficPolicy": {"tls": {"mode": "DISABLE"}}})
		with data.meshguard.inventory as namespaces
}

test_subset_port_level_disable_is_denied_in_unknown_namespace if {
	dr_tls_disable_in_mesh.violation == {{
		"id": "dr-tls-disable-in-mesh",
		"message": "DestinationRule prod/reviews sets spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.mode DISABLE for in-mesh host reviews.other.svc.cluster.local; traffic to mesh services must use mTLS (ISTIO_MUTUAL or unset)",
		"details": {"field": "spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.mode", "mode": "DISABLE", "host": "reviews.other.svc.cluster.local", "port": "9080", "subset": "v1"},
	}} with input as review({
		"host": "reviews.other.svc.cluster.local",
		"trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}},
		"subsets": [{"name": "v1", "labels": {"version": "v1"}, "trafficPolicy": {"portLevelSettings": [{"port": {"number": 9080}, "tls": {"mode": "DISABLE"}}]}}],
	})
}

test_wildcard_local_is_denied if {
	count(dr_tls_disable_in_mesh.violation) == 1 with input as review({"host": "*.local", "trafficPolicy": {"tls": {"mode": "DISABLE"}}})
}

test_non_mesh_namespace_is_allowed if {
	count(dr_tls_disable_in_mesh.violation) == 0 with input as review({"host": "db.legacy.svc.cluster.local", "trafficPolicy": {"tls": {"mode": "DISABLE"}}})
		with data.meshguard.inventory as namespaces
}

test_unknown_namespace_param_false_is_allowed if {
	count(dr_tls_disable_in_mesh.violation) == 0 with input as review({"host": "reviews", "trafficPolicy": {"tls": {"mode": "DISABLE"}}})
		with data.meshguard.config as {"rules": {"dr-tls-disable-in-mesh": {"params": {"unknownNamespaceInMesh": false}}}}
}

test_external_host_is_allowed if {
	count(dr_tls_disable_in_mesh.violation) == 0 with input as review({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "DISABLE"}}})
}

test_service_entry_host_is_allowed if {
	count(dr_tls_disable_in_mesh.violation) == 0 with input as review({"host": "vm.prod.svc.cluster.local", "trafficPolicy": {"tls": {"mode": "DISABLE"}}})
		with data.meshguard.inventory as {"ServiceEntry": {"prod": {"vm": {"kind": "ServiceEntry", "metadata": {"name": "vm", "namespace": "prod"}, "spec": {"hosts": ["vm.prod.svc.cluster.local"]}}}}}
}

test_istio_mutual_is_allowed if {
	count(dr_tls_disable_in_mesh.violation) == 0 with input as review({"host": "reviews", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}})
}

test_delete_is_ignored if {
	count(dr_tls_disable_in_mesh.violation) == 0 with input as object.union(review({}), {"request": {"operation": "DELETE", "object": null, "oldObject": review({"host": "reviews", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}).request.object}})
}

test_other_kind_is_ignored if {
	count(dr_tls_disable_in_mesh.violation) == 0 with input as object.union(review({"host": "reviews", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}), {"request": {"kind": {"kind": "ServiceEntry"}}})
}
