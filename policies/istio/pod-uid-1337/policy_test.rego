package meshguard.rules.pod_uid_1337_test

import data.meshguard.rules.pod_uid_1337

deployment(annotations, spec) := {"request": {
	"kind": {"kind": "Deployment"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}, "spec": {"template": {"metadata": {"annotations": annotations}, "spec": spec}}},
}}

mesh_ns := {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod", "labels": {"istio.io/rev": "stable"}}}}}}

plain_ns := {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod"}}}}}

spec_1337 := {
	"securityContext": {"runAsUser": 1337},
	"containers": [
		{"name": "web", "securityContext": {"runAsUser": 1337}},
		{"name": "istio-proxy", "securityContext": {"runAsUser": 1337}},
		{"name": "helper", "securityContext": {"runAsUser": 1000}},
	],
}

test_uid_1337_in_mesh_namespace if {
	pod_uid_1337.violation == {
		{
			"id": "pod-uid-1337",
			"message": "Deployment prod/web runs its pod as UID 1337 (the sidecar's UID), so its traffic bypasses the proxy",
			"details": {"field": "spec.template.spec.securityContext.runAsUser", "runAsUser": 1337},
		},
		{
			"id": "pod-uid-1337",
			"message": "Deployment prod/web runs container web as UID 1337 (the sidecar's UID), so its traffic bypasses the proxy",
			"details": {"field": "spec.template.spec.containers[0].securityContext.runAsUser", "runAsUser": 1337, "container": "web"},
		},
	} with input as deployment({}, spec_1337)
		with data.meshguard.inventory as mesh_ns
}

test_not_injected_allowed if {
	count(pod_uid_1337.violation) == 0 with input as deployment({}, spec_1337)
		with data.meshguard.inventory as plain_ns
	count(pod_uid_1337.violation) == 0 with input as deployment({"sidecar.istio.io/inject": "false"}, spec_1337)
		with data.meshguard.inventory as mesh_ns
}

test_unknown_namespace_uses_own_opt_in if {
	count(pod_uid_1337.violation) == 2 with input as deployment({"sidecar.istio.io/inject": "true"}, spec_1337)
		with data.meshguard.inventory as {}
	count(pod_uid_1337.violation) == 0 with input as deployment({}, spec_1337)
		with data.meshguard.inventory as {}
}

test_other_uids_allowed if {
	count(pod_uid_1337.violation) == 0 with input as deployment({}, {"containers": [{"name": "web", "securityContext": {"runAsUser": 1000}}]})
		with data.meshguard.inventory as mesh_ns
}

test_delete_ignored if {
	count(pod_uid_1337.violation) == 0 with input as {"request": {"kind": {"kind": "Deployment"}, "operation": "DELETE", "namespace": "prod", "object": null}}
		with data.meshguard.inventory as mesh_ns
}

labelled(labels) := object.union(deployment({}, spec_1337), {"request": {"object": {"metadata": {"labels": labels}}}})

test_control_plane_skipped if {
	count(pod_uid_1337.violation) == 0 with input as labelled({"istio": "ingressgateway"})
		with data.meshguard.inventory as mesh_ns
	count(pod_uid_1337.violation) == 0 with input as labelled({"release": "istio"})
		with data.meshguard.inventory as mesh_ns
	count(pod_uid_1337.violation) == 2 with input as labelled({"release": "web"})
		with data.meshguard.inventory as mesh_ns
}

test_ambient_pods_skipped if {
	pod := {"request": {
		"kind": {"kind": "Pod"},
		"namespace": "shop",
		"operation": "CREATE",
		"object": {"kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"securityContext": {"runAsUser": 1337}, "containers": [{"name": "app"}]}},
	}}
	ambient := {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": {"istio.io/dataplane-mode": "ambient"}}}}}}
	count(pod_uid_1337.violation) == 0 with input as pod with data.meshguard.inventory as ambient
	sidecar := {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}}}}}
	count(pod_uid_1337.violation) == 1 with input as pod with data.meshguard.inventory as sidecar
}
