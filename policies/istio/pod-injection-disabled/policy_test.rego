package meshguard.rules.pod_injection_disabled_test

import data.meshguard.rules.pod_injection_disabled

deployment(labels, annotations) := {"request": {
	"kind": {"kind": "Deployment"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}, "spec": {"template": {
		"metadata": {"labels": labels, "annotations": annotations},
		"spec": {"containers": [{"name": "web", "image": "nginx"}]},
	}}},
}}

mesh_ns := {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod", "labels": {"istio-injection": "enabled"}}}}}}

plain_ns := {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod"}}}}}

test_annotation_false_in_mesh_namespace if {
	pod_injection_disabled.violation == {{
		"id": "pod-injection-disabled",
		"message": "Deployment prod/web turns sidecar injection off with the annotation sidecar.istio.io/inject=\"false\" in mesh namespace prod",
		"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/inject]", "source": "annotation", "value": "false", "namespace": "prod", "namespaceKnown": true},
	}} with input as deployment({"app": "web"}, {"sidecar.istio.io/inject": "false"})
		with data.meshguard.inventory as mesh_ns
}

test_label_false_wins_over_annotation_true if {
	pod_injection_disabled.violation == {{
		"id": "pod-injection-disabled",
		"message": "Deployment prod/web turns sidecar injection off with the label sidecar.istio.io/inject=\"false\" in mesh namespace prod",
		"details": {"field": "spec.template.metadata.labels[sidecar.istio.io/inject]", "source": "label", "value": "false", "namespace": "prod", "namespaceKnown": true},
	}} with input as deployment({"sidecar.istio.io/inject": "false"}, {"sidecar.istio.io/inject": "true"})
		with data.meshguard.inventory as mesh_ns
}

test_label_true_wins_over_annotation_false if {
	count(pod_injection_disabled.violation) == 0 with input as deployment({"sidecar.istio.io/inject": "true"}, {"sidecar.istio.io/inject": "false"})
		with data.meshguard.inventory as mesh_ns
}

test_other_disabling_values if {
	count(pod_injection_disabled.violation) == 1 with input as deployment({}, {"sidecar.istio.io/inject": "no"})
		with data.meshguard.inventory as mesh_ns
	count(pod_injection_disabled.violation) == 0 with input as deployment({}, {"sidecar.istio.io/inject": "Yes"})
		with data.meshguard.inventory as mesh_ns
}

test_non_mesh_namespace_allowed if {
	count(pod_injection_disabled.violation) == 0 with input as deployment({}, {"sidecar.istio.io/inject": "false"})
		with data.meshguard.inventory as plain_ns
}

test_unknown_namespace_decides_from_object if {
	pod_injection_disabled.violation == {{
		"id": "pod-injection-disabled",
		"message": "Deployment prod/web turns sidecar injection off with the annotation sidecar.istio.io/inject=\"false\" (namespace prod is not known, so the opt-out decides)",
		"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/inject]", "source": "annotation", "value": "false", "namespace": "prod", "namespaceKnown": false},
	}} with input as deployment({}, {"sidecar.istio.io/inject": "false"})
		with data.meshguard.inventory as {}
}

test_pod_and_cronjob if {
	pod := {"request": {"kind": {"kind": "Pod"}, "namespace": "prod", "operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p", "labels": {"sidecar.istio.io/inject": "false"}}, "spec": {}}}}
	pod_injection_disabled.violation == {{
		"id": "pod-injection-disabled",
		"message": "Pod prod/p turns sidecar injection off with the label sidecar.istio.io/inject=\"false\" in mesh namespace prod",
		"details": {"field": "metadata.labels[sidecar.istio.io/inject]", "source": "label", "value": "false", "namespace": "prod", "namespaceKnown": true},
	}} with input as pod
		with data.meshguard.inventory as mesh_ns
	cron := {"request": {"kind": {"kind": "CronJob"}, "namespace": "prod", "operation": "UPDATE", "object": {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"annotations": {"sidecar.istio.io/inject": "false"}}}}}}}}}
	pod_injection_disabled.violation == {{
		"id": "pod-injection-disabled",
		"message": "CronJob prod/c turns sidecar injection off with the annotation sidecar.istio.io/inject=\"false\" in mesh namespace prod",
		"details": {"field": "spec.jobTemplate.spec.template.metadata.annotations[sidecar.istio.io/inject]", "source": "annotation", "value": "false", "namespace": "prod", "namespaceKnown": true},
	}} with input as cron
		with data.meshguard.inventory as mesh_ns
}

test_delete_and_other_kinds_ignored if {
	count(pod_injection_disabled.violation) == 0 with input as {"request": {"kind": {"kind": "Deployment"}, "operation": "DELETE", "namespace": "prod", "object": null}}
		with data.meshguard.inventory as mesh_ns
	count(pod_injection_disabled.violation) == 0 with input as {"request": {"kind": {"kind": "Service"}, "operation": "CREATE", "namespace": "prod", "object": {"metadata": {"name": "s", "annotations": {"sidecar.istio.io/inject": "false"}}}}}
		with data.meshguard.inventory as mesh_ns
}

test_ambient_pods_skipped if {
	# sidecar.istio.io/inject=false is common on ambient pods: they stay in the mesh through ztunnel.
	ambient_ns := {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod", "labels": {"istio.io/dataplane-mode": "ambient"}}}}}}
	count(pod_injection_disabled.violation) == 0 with input as deployment({"app": "web", "sidecar.istio.io/inject": "false"}, {})
		with data.meshguard.inventory as ambient_ns
	count(pod_injection_disabled.violation) == 1 with input as deployment({"app": "web", "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "none"}, {})
		with data.meshguard.inventory as ambient_ns
}
