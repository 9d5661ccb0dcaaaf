package meshguard.rules.pod_proxy_resources_range_test

import data.meshguard.rules.pod_proxy_resources_range

deployment(annotations) := {"request": {
	"kind": {"kind": "Deployment"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}, "spec": {"template": {"metadata": {"annotations": annotations}}}},
}}

test_within_bounds_allowed if {
	count(pod_proxy_resources_range.violation) == 0 with input as deployment({
		"sidecar.istio.io/proxyCPU": "100m",
		"sidecar.istio.io/proxyCPULimit": "2",
		"sidecar.istio.io/proxyMemory": "128Mi",
		"sidecar.istio.io/proxyMemoryLimit": "2Gi",
		"sidecar.istio.io/inject": "true",
	})
}

test_out_of_bounds_and_invalid if {
	pod_proxy_resources_range.violation == {
		{
			"id": "pod-proxy-resources-range",
			"message": "Deployment prod/web sets sidecar.istio.io/proxyCPU to 10m, below the org minimum of 50m",
			"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/proxyCPU]", "annotation": "sidecar.istio.io/proxyCPU", "value": "10m", "min": "50m", "max": "2"},
		},
		{
			"id": "pod-proxy-resources-range",
			"message": "Deployment prod/web sets sidecar.istio.io/proxyMemoryLimit to 4Gi, above the org maximum of 2Gi",
			"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/proxyMemoryLimit]", "annotation": "sidecar.istio.io/proxyMemoryLimit", "value": "4Gi", "min": "64Mi", "max": "2Gi"},
		},
		{
			"id": "pod-proxy-resources-range",
			"message": "Deployment prod/web sets sidecar.istio.io/proxyMemory to \"128MB\", which is not a valid quantity",
			"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/proxyMemory]", "annotation": "sidecar.istio.io/proxyMemory", "value": "128MB"},
		},
	} with input as deployment({
		"sidecar.istio.io/proxyCPU": "10m",
		"sidecar.istio.io/proxyCPULimit": "1",
		"sidecar.istio.io/proxyMemory": "128MB",
		"sidecar.istio.io/proxyMemoryLimit": "4Gi",
	})
}

test_configured_bounds if {
	count(pod_proxy_resources_range.violation) == 1 with input as deployment({"sidecar.istio.io/proxyCPU": "100m"})
		with data.meshguard.config as {"rules": {"pod-proxy-resources-range": {"params": {"cpuMin": "200m"}}}}
}

test_pod_kind if {
	pod_proxy_resources_range.violation == {{
		"id": "pod-proxy-resources-range",
		"message": "Pod prod/p sets sidecar.istio.io/proxyCPULimit to 8, above the org maximum of 2",
		"details": {"field": "metadata.annotations[sidecar.istio.io/proxyCPULimit]", "annotation": "sidecar.istio.io/proxyCPULimit", "value": "8", "min": "50m", "max": "2"},
	}} with input as {"request": {"kind": {"kind": "Pod"}, "namespace": "prod", "operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p", "annotations": {"sidecar.istio.io/proxyCPULimit": "8"}}, "spec": {}}}}
}

test_delete_ignored if {
	count(pod_proxy_resources_range.violation) == 0 with input as {"request": {"kind": {"kind": "Deployment"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
