package meshguard.rules.pod_proxy_resources_partial_test

import data.meshguard.rules.pod_proxy_resources_partial

review(kind, obj) := {"request": {"kind": {"kind": kind}, "namespace": "default", "operation": "CREATE", "object": obj}}

deployment(annotations) := review("Deployment", {"kind": "Deployment", "metadata": {"name": "my-app"}, "spec": {"template": {"metadata": {"annotations": annotations}}}})

test_two_of_four_warns if {
	pod_proxy_resources_partial.violation == {{
		"id": "pod-proxy-resources-partial",
		"message": "Deployment default/my-app sets only [\"sidecar.istio.io/proxyCPU\",\"sidecar.istio.io/proxyMemory\"] of the four proxy resource annotations; Istio then drops its defaults, so [\"sidecar.istio.io/proxyCPULimit\",\"sidecar.istio.io/proxyMemoryLimit\"] end up unset",
		"details": {
			"field": "spec.template.metadata.annotations",
			"set": ["sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyMemory"],
			"missing": ["sidecar.istio.io/proxyCPULimit", "sidecar.istio.io/proxyMemoryLimit"],
		},
	}} with input as deployment({"sidecar.istio.io/inject": "true", "sidecar.istio.io/proxyCPU": "100m", "sidecar.istio.io/proxyMemory": "128Mi"})
}

test_none_or_all_allowed if {
	count(pod_proxy_resources_partial.violation) == 0 with input as deployment({"sidecar.istio.io/inject": "true"})
	count(pod_proxy_resources_partial.violation) == 0 with input as deployment({
		"sidecar.istio.io/proxyCPU": "100m",
		"sidecar.istio.io/proxyCPULimit": "1",
		"sidecar.istio.io/proxyMemory": "128Mi",
		"sidecar.istio.io/proxyMemoryLimit": "1Gi",
	})
}

test_job_template if {
	count(pod_proxy_resources_partial.violation) == 1 with input as review("Job", {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"metadata": {"annotations": {"sidecar.istio.io/proxyMemoryLimit": "1Gi"}}}}})
}

test_delete_ignored if {
	count(pod_proxy_resources_partial.violation) == 0 with input as {"request": {"kind": {"kind": "Deployment"}, "operation": "DELETE", "namespace": "default", "object": null}}
}

sizing_on := {"mutation": {"sidecar": {"enabled": true}}}

injected_namespace := {"Namespace": {"": {"default": {"kind": "Namespace", "metadata": {"name": "default", "labels": {"istio-injection": "enabled"}}}}}}

partial := {"sidecar.istio.io/proxyCPU": "100m", "sidecar.istio.io/proxyMemory": "128Mi"}

pod(operation) := {"request": {"kind": {"kind": "Pod"}, "namespace": "default", "operation": operation, "object": {"kind": "Pod", "metadata": {"name": "p", "annotations": partial}, "spec": {"containers": [{"name": "app"}]}}}}

# The two webhooks agree: where the sidecar-resources mutator completes the set on the Pods, the
# validating webhook says nothing about it.
test_silent_where_the_mutator_completes_the_set if {
	count(pod_proxy_resources_partial.violation) == 0 with input as deployment(partial)
		with data.meshguard.config as sizing_on
		with data.meshguard.inventory as injected_namespace
	count(pod_proxy_resources_partial.violation) == 0 with input as deployment(object.union(partial, {"sidecar.istio.io/inject": "true"}))
		with data.meshguard.config as sizing_on
	count(pod_proxy_resources_partial.violation) == 0 with input as pod("CREATE")
		with data.meshguard.config as sizing_on
		with data.meshguard.inventory as injected_namespace
}

test_warns_where_nothing_completes_the_set if {
	# the mutator is off
	count(pod_proxy_resources_partial.violation) == 1 with input as deployment(partial)
		with data.meshguard.config as {"mutation": {"sidecar": {"enabled": false}}}
		with data.meshguard.inventory as injected_namespace

	# Istio does not inject the pods, so the mutator leaves them alone
	count(pod_proxy_resources_partial.violation) == 1 with input as deployment(object.union(partial, {"sidecar.istio.io/inject": "false"}))
		with data.meshguard.config as sizing_on
		with data.meshguard.inventory as injected_namespace

	# a Pod is sized only when it is created
	count(pod_proxy_resources_partial.violation) == 1 with input as pod("UPDATE")
		with data.meshguard.config as sizing_on
		with data.meshguard.inventory as injected_namespace
}

test_ambient_pods_skipped if {
	pod := review("Pod", {"kind": "Pod", "metadata": {"name": "p", "labels": {"istio.io/dataplane-mode": "ambient"}, "annotations": {"sidecar.istio.io/proxyCPU": "100m"}}, "spec": {}})
	count(pod_proxy_resources_partial.violation) == 0 with input as pod
	sidecar := review("Pod", {"kind": "Pod", "metadata": {"name": "p", "labels": {"sidecar.istio.io/inject": "true", "istio.io/dataplane-mode": "ambient"}, "annotations": {"sidecar.istio.io/proxyCPU": "100m"}}, "spec": {}})
	count(pod_proxy_resources_partial.violation) == 1 with input as sidecar
}
