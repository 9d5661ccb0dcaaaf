package meshguard.rules.pod_image_auto_not_injected_test

import data.meshguard.rules.pod_image_auto_not_injected

review(image) := {"request": {
	"kind": {"kind": "Pod"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Pod", "metadata": {"name": "gw", "namespace": "prod"}, "spec": {"containers": [{"name": "istio-proxy", "image": image}]}},
}}

test_image_auto_denied if {
	pod_image_auto_not_injected.violation == {{
		"id": "pod-image-auto-not-injected",
		"message": "Pod prod/gw contains `image: auto` but does not match any Istio injection webhook selectors",
		"details": {"field": "spec.containers", "container": "istio-proxy", "image": "auto"},
	}} with input as review("auto")
}

test_injected_image_allowed if {
	count(pod_image_auto_not_injected.violation) == 0 with input as review("docker.io/istio/proxyv2:1.24.0")
}
