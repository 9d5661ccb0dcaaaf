package meshguard.lib.ambient_test

import data.meshguard.lib.ambient

meta(labels) := {"name": "reviews", "namespace": "shop", "labels": labels}

ns_inventory(labels) := {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": labels}}}}}

test_use_waypoint_label_and_namespace_override if {
	ambient.use_waypoint(meta({"istio.io/use-waypoint": "wp"}), "shop") == {"name": "wp", "namespace": "shop"}
	ambient.use_waypoint(meta({"istio.io/use-waypoint": "wp", "istio.io/use-waypoint-namespace": "infra"}), "shop") == {"name": "wp", "namespace": "infra"}
	ambient.use_waypoint(meta({"istio.io/use-waypoint": "none"}), "shop") == "none"
	not ambient.use_waypoint(meta({}), "shop")
}

test_effective_waypoint_object_over_namespace if {
	inv := ns_inventory({"istio.io/use-waypoint": "ns-wp"})
	ambient.effective_waypoint(meta({}), "shop") == {"name": "ns-wp", "namespace": "shop"} with data.meshguard.inventory as inv
	ambient.effective_waypoint(meta({"istio.io/use-waypoint": "own"}), "shop") == {"name": "own", "namespace": "shop"} with data.meshguard.inventory as inv
	not ambient.effective_waypoint(meta({"istio.io/use-waypoint": "none"}), "shop") with data.meshguard.inventory as inv
	not ambient.effective_waypoint(meta({}), "shop") with data.meshguard.inventory as ns_inventory({})
}

test_ambient_namespace_follows_the_dataplane_model if {
	ambient.ambient_namespace("shop") with data.meshguard.inventory as ns_inventory({"istio.io/dataplane-mode": "ambient"})
	not ambient.ambient_namespace("shop") with data.meshguard.inventory as ns_inventory({"istio.io/dataplane-mode": "ambient", "istio-injection": "enabled"})
	not ambient.ambient_namespace("shop") with data.meshguard.inventory as ns_inventory({})
	not ambient.ambient_namespace("shop") with data.meshguard.inventory as {}
}

test_l7_fields_are_istiods_list if {
	rule := {
		"from": [{"source": {"principals": ["a"], "requestPrincipals": ["*"], "notRemoteIpBlocks": ["1.2.3.4"]}}],
		"to": [{"operation": {"ports": ["80"], "hosts": ["h"], "notMethods": ["GET"]}}],
		"when": [{"key": "source.ip", "values": ["1.2.3.4"]}, {"key": "request.headers[x]", "values": ["y"]}, {"key": "request.auth.claims[iss]", "values": ["z"]}],
	}
	ambient.l7_fields(rule) == {"requestPrincipals", "notRemoteIpBlocks", "hosts", "notMethods", "request.headers[x]", "request.auth.claims[iss]"}
	ambient.l7_fields({"from": [{"source": {"namespaces": ["a"], "ipBlocks": ["10.0.0.0/8"]}}], "to": [{"operation": {"notPorts": ["8080"]}}]}) == set()
}

test_deny_rule_enforced_needs_an_l4_match_in_every_clause if {
	ambient.deny_rule_enforced({})
	ambient.deny_rule_enforced({"to": [{"operation": {"paths": ["/a"]}}, {"operation": {"ports": ["80"]}}]})
	not ambient.deny_rule_enforced({"to": [{"operation": {"paths": ["/a"]}}]})
	not ambient.deny_rule_enforced({"from": [{"source": {"namespaces": ["a"]}}], "to": [{"operation": {"methods": ["GET"]}}]})
	not ambient.deny_rule_enforced({"from": [{"source": {"namespaces": ["a"]}}], "when": [{"key": "request.headers[x]", "values": ["y"]}]})
	ambient.deny_rule_enforced({"from": [{"source": {"namespaces": ["a"]}}], "when": [{"key": "destination.port", "values": ["80"]}]})
}

test_ztunnel_policy if {
	ambient.ztunnel_policy({})
	ambient.ztunnel_policy({"selector": {"matchLabels": {"app": "a"}}})
	not ambient.ztunnel_policy({"targetRefs": [{"kind": "Service", "name": "a"}]})
	not ambient.ztunnel_policy({"targetRef": {"kind": "Gateway", "name": "a"}})
	not ambient.ztunnel_policy({"selector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "wp"}}})
}

test_serving_waypoint_needs_type_and_attachment if {
	gw := {"metadata": {"name": "shared", "namespace": "infra", "labels": {}}, "spec": {"gatewayClassName": "istio-waypoint", "listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE"}]}}
	inv := object.union(ns_inventory({}), {"KubernetesGateway": {"infra": {"shared": gw}}})
	bound := meta({"istio.io/use-waypoint": "shared", "istio.io/use-waypoint-namespace": "infra"})
	not ambient.serving_waypoint(bound, "shop", "service") with data.meshguard.inventory as inv
	open := object.union(gw, {"spec": {"listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE", "allowedRoutes": {"namespaces": {"from": "All"}}}]}})
	ambient.serving_waypoint(bound, "shop", "service") == open with data.meshguard.inventory as object.union(ns_inventory({}), {"KubernetesGateway": {"infra": {"shared": open}}})
	not ambient.serving_waypoint(bound, "shop", "workload") with data.meshguard.inventory as object.union(ns_inventory({}), {"KubernetesGateway": {"infra": {"shared": open}}})
}
