package meshguard.lib.security_test

import data.meshguard.lib.security

deployment(ns, name, labels) := {"kind": "Deployment", "metadata": {"name": name, "namespace": ns}, "spec": {"template": {"metadata": {"labels": labels}}}}

inventory := {"Deployment": {"prod": {"web": deployment("prod", "web", {"app": "web", "version": "v1"})}}}

test_selects_nothing_cases if {
	security.selects_nothing({"app": "wbe"}, "prod") with data.meshguard.inventory as inventory
	not security.selects_nothing({"app": "web"}, "prod") with data.meshguard.inventory as inventory
	not security.selects_nothing({}, "prod") with data.meshguard.inventory as inventory
	not security.selects_nothing({"app": "wbe"}, "empty") with data.meshguard.inventory as inventory
	not security.selects_nothing({"app": "wbe"}, "prod") with data.meshguard.inventory as {}
}

test_selector_string_sorted if {
	security.selector_string({"version": "v1", "app": "web"}) == "app=web,version=v1"
}

test_has_auto_image if {
	security.has_auto_image({"containers": [{"name": "app", "image": "x"}, {"name": "istio-proxy", "image": "auto"}]})
	not security.has_auto_image({"containers": [{"name": "app", "image": "auto"}]})
	not security.has_auto_image({"containers": [{"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.24.0"}]})
	not security.has_auto_image({})
}
