package meshguard.rules.ns_mesh_enrolled_test

import data.meshguard.rules.ns_mesh_enrolled

review(name, labels) := {"request": {
	"kind": {"kind": "Namespace"},
	"namespace": "",
	"operation": "CREATE",
	"object": {"kind": "Namespace", "metadata": {"name": name, "labels": labels}},
}}

mesh_labels := ["istio-injection=enabled", "istio.io/rev=*", "istio.io/dataplane-mode=ambient"]

test_unlabelled_denied if {
	ns_mesh_enrolled.violation == {{
		"id": "ns-mesh-enrolled",
		"message": "Namespace shop is not enrolled in the mesh: label it with one of [\"istio-injection=enabled\",\"istio.io/rev=*\",\"istio.io/dataplane-mode=ambient\"]",
		"details": {"field": "metadata.labels", "labels": {"team": "shop"}, "meshLabels": mesh_labels},
	}} with input as review("shop", {"team": "shop"})
}

test_disabled_denied_even_with_revision if {
	ns_mesh_enrolled.violation == {{
		"id": "ns-mesh-enrolled",
		"message": "Namespace shop is not enrolled in the mesh (istio-injection=disabled): label it with one of [\"istio-injection=enabled\",\"istio.io/rev=*\",\"istio.io/dataplane-mode=ambient\"]",
		"details": {"field": "metadata.labels", "labels": {"istio-injection": "disabled", "istio.io/rev": "stable"}, "meshLabels": mesh_labels},
	}} with input as review("shop", {"istio-injection": "disabled", "istio.io/rev": "stable"})
}

test_enrolled_allowed if {
	count(ns_mesh_enrolled.violation) == 0 with input as review("shop", {"istio-injection": "enabled"})
	count(ns_mesh_enrolled.violation) == 0 with input as review("shop", {"istio.io/rev": "1-30"})
	count(ns_mesh_enrolled.violation) == 0 with input as review("shop", {"istio.io/dataplane-mode": "ambient"})
	count(ns_mesh_enrolled.violation) == 0 with input as review("shop", {"istio.io/dataplane-mode": "ambient", "istio-injection": "disabled"})
}

test_exempt_namespaces if {
	count(ns_mesh_enrolled.violation) == 0 with input as review("kube-system", {})
	count(ns_mesh_enrolled.violation) == 0 with input as review("meshguard", {})
	count(ns_mesh_enrolled.violation) == 0 with input as review("sandbox", {})
		with data.meshguard.config as {"rules": {"ns-mesh-enrolled": {"params": {"exemptNamespaces": ["sandbox"]}}}}
}

test_custom_mesh_labels if {
	count(ns_mesh_enrolled.violation) == 0 with input as review("shop", {"mesh": "on"})
		with data.meshguard.config as {"mesh": {"meshLabels": [{"key": "mesh", "value": "on"}]}}
}

test_delete_ignored if {
	count(ns_mesh_enrolled.violation) == 0 with input as {"request": {"kind": {"kind": "Namespace"}, "operation": "DELETE", "namespace": "", "object": null}}
}
