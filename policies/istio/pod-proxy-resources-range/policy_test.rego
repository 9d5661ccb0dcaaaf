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

test_huge_and_long_values_are_denied_as_too_large if {
	pod_proxy_resources_range.violation == {
		{
			"id": "pod-proxy-resources-range",
			"message": "Deployment prod/web sets sidecar.istio.io/proxyMemory to \"1e1000\", which is too large for a quantity (the org maximum is 2Gi)",
			"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/proxyMemory]", "annotation": "sidecar.istio.io/proxyMemory", "value": "1e1000", "min": "64Mi", "max": "2Gi"},
		},
		{
			"id": "pod-proxy-resources-range",
			"message": "Deployment prod/web sets sidecar.istio.io/proxyCPU to \"1e600\", which is too large for a quantity (the org maximum is 2)",
			"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/proxyCPU]", "annotation": "sidecar.istio.io/proxyCPU", "value": "1e600", "min": "50m", "max": "2"},
		},
		{
			"id": "pod-proxy-resources-range",
			"message": sprintf("Deployment prod/web sets sidecar.istio.io/proxyCPULimit to \"%s... (1000 characters)\", which is too large for a quantity (the org maximum is 2)", [substring(long, 0, 32)]),
			"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/proxyCPULimit]", "annotation": "sidecar.istio.io/proxyCPULimit", "value": sprintf("%s... (1000 characters)", [substring(long, 0, 32)]), "min": "50m", "max": "2"},
		},
		{
			"id": "pod-proxy-resources-range",
			"message": "Deployment prod/web sets sidecar.istio.io/proxyMemoryLimit to -1, below the org minimum of 64Mi",
			"details": {"field": "spec.template.metadata.annotations[sidecar.istio.io/proxyMemoryLimit]", "annotation": "sidecar.istio.io/proxyMemoryLimit", "value": "-1", "min": "64Mi", "max": "2Gi"},
		},
	} with input as deployment({
		"sidecar.istio.io/proxyCPU": "1e600",
		"sidecar.istio.io/proxyCPULimit": long,
		"sidecar.istio.io/proxyMemory": "1e1000",
		"sidecar.istio.io/proxyMemoryLimit": "-1",
	})
}

# A 1,000-digit number.
long := concat("", ["1", concat("", [d | some _ in numbers.range(1, 999); d := "0"])])

test_exact_at_the_bounds if {
	count(pod_proxy_resources_range.violation) == 0 with input as deployment({
		"sidecar.istio.io/proxyCPU": "0.05",
		"sidecar.istio.io/proxyCPULimit": "2000m",
		"sidecar.istio.io/proxyMemory": "67108864",
		"sidecar.istio.io/proxyMemoryLimit": "2147483648",
	})
	{v.details.value | some v in pod_proxy_resources_range.violation} == {"49999999n", "2000000001n", "67108863", "2147483648.000000001"} with input as deployment({
		"sidecar.istio.io/proxyCPU": "49999999n",
		"sidecar.istio.io/proxyCPULimit": "2000000001n",
		"sidecar.istio.io/proxyMemory": "67108863",
		"sidecar.istio.io/proxyMemoryLimit": "2147483648.000000001",
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

# With mutation.sidecar.enforceComputed the mutator replaces the user's values on the Pods it sizes
# with computed ones inside the bounds, so an out-of-bounds value there is not reported; without
# it the user's value is kept, and reported.
test_silent_where_the_mutator_replaces_the_value if {
	low := {"sidecar.istio.io/inject": "true", "sidecar.istio.io/proxyCPU": "10m"}
	count(pod_proxy_resources_range.violation) == 0 with input as deployment(low)
		with data.meshguard.config as {"mutation": {"sidecar": {"enabled": true, "enforceComputed": true}}}
	count(pod_proxy_resources_range.violation) == 1 with input as deployment(low)
		with data.meshguard.config as {"mutation": {"sidecar": {"enabled": true, "enforceComputed": false}}}
}

test_ambient_pods_skipped if {
	ambient_ns := {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod", "labels": {"istio.io/dataplane-mode": "ambient"}}}}}}
	count(pod_proxy_resources_range.violation) == 0 with input as deployment({"sidecar.istio.io/proxyCPU": "nonsense"})
		with data.meshguard.inventory as ambient_ns
	count(pod_proxy_resources_range.violation) == 1 with input as deployment({"sidecar.istio.io/proxyCPU": "nonsense"})
		with data.meshguard.inventory as {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod", "labels": {"istio-injection": "enabled"}}}}}}
}
