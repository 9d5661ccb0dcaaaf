package meshguard.rules.deploy_image_auto_not_injected_test

import data.meshguard.rules.deploy_image_auto_not_injected

review(ns, template_labels) := {"request": {
	"kind": {"kind": "Deployment"},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"kind": "Deployment", "metadata": {"name": "gw", "namespace": ns}, "spec": {"template": {
		"metadata": {"labels": template_labels},
		"spec": {"containers": [{"name": "istio-proxy", "image": "auto"}]},
	}}},
}}

namespace(n, labels) := {"kind": "Namespace", "metadata": {"name": n, "labels": labels}}

inventory := {"Namespace": {"": {
	"injected": namespace("injected", {"istio-injection": "enabled"}),
	"plain": namespace("plain", {}),
}}}

test_not_injected_warns if {
	deploy_image_auto_not_injected.violation == {{
		"id": "deploy-image-auto-not-injected",
		"message": "Deployment plain/gw contains `image: auto` but does not match any Istio injection webhook selectors",
		"details": {"field": "spec.template.spec.containers", "container": "istio-proxy", "image": "auto"},
	}} with input as review("plain", {"app": "gw"})
		with data.meshguard.inventory as inventory
}

test_template_opt_out_in_injected_namespace_warns if {
	count(deploy_image_auto_not_injected.violation) == 1 with input as review("injected", {"sidecar.istio.io/inject": "false"})
		with data.meshguard.inventory as inventory
}

test_injected_allowed if {
	count(deploy_image_auto_not_injected.violation) == 0 with input as review("injected", {"app": "gw"})
		with data.meshguard.inventory as inventory
	count(deploy_image_auto_not_injected.violation) == 0 with input as review("plain", {"sidecar.istio.io/inject": "true"})
		with data.meshguard.inventory as inventory
	count(deploy_image_auto_not_injected.violation) == 0 with input as review("plain", {"istio.io/rev": "canary"})
		with data.meshguard.inventory as inventory
}
