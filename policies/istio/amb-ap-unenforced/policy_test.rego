package meshguard.rules.amb_ap_unenforced_test

import data.meshguard.rules.amb_ap_unenforced

review(spec) := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": "shop",
	"operation": "CREATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ap", "namespace": "shop"}, "spec": spec},
}}

namespace(labels) := {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": labels}}}}}

ambient := namespace({"istio.io/dataplane-mode": "ambient"})

paths_deny := {"action": "DENY", "rules": [{"to": [{"operation": {"paths": ["/admin"], "methods": ["POST"]}}]}]}

test_l7_only_deny_denied if {
	amb_ap_unenforced.violation == {{
		"id": "amb-ap-unenforced",
		"message": "AuthorizationPolicy shop/ap: ztunnel does not support HTTP attributes (found: methods, paths). In ambient mode you must use a waypoint proxy to enforce HTTP rules. After omitting unsupported HTTP attributes, this DENY policy has no enforceable rules at ztunnel and will have no effect.",
		"details": {"field": "spec.rules", "httpAttributes": ["methods", "paths"], "action": "DENY"},
	}} with input as review(paths_deny) with data.meshguard.inventory as ambient
}

test_l4_clause_and_l7_clause_still_no_effect if {
	# from keeps a namespace, but the `to` clause and the header condition match nothing.
	spec := {"action": "DENY", "rules": [{"from": [{"source": {"namespaces": ["web"]}}], "to": [{"operation": {"paths": ["/admin"]}}], "when": [{"key": "request.headers[x-user]", "values": ["bob"]}]}]}
	count(amb_ap_unenforced.violation) == 1 with input as review(spec) with data.meshguard.inventory as ambient
}

test_jwt_and_request_principals_no_effect if {
	spec := {"action": "DENY", "rules": [{"from": [{"source": {"requestPrincipals": ["*"]}}], "when": [{"key": "request.auth.claims[groups]", "values": ["guest"]}]}]}
	amb_ap_unenforced.violation == {{
		"id": "amb-ap-unenforced",
		"message": "AuthorizationPolicy shop/ap: ztunnel does not support HTTP attributes (found: request.auth.claims[groups], requestPrincipals). In ambient mode you must use a waypoint proxy to enforce HTTP rules. After omitting unsupported HTTP attributes, this DENY policy has no enforceable rules at ztunnel and will have no effect.",
		"details": {"field": "spec.rules", "httpAttributes": ["request.auth.claims[groups]", "requestPrincipals"], "action": "DENY"},
	}} with input as review(spec) with data.meshguard.inventory as ambient
}

test_enforced_deny_rules_allowed if {
	# a port keeps the rule matching (more restrictive: amb-ap-l7-ztunnel), and a second L4 rule is enforced.
	with_port := {"action": "DENY", "rules": [{"to": [{"operation": {"ports": ["8080"], "paths": ["/admin"]}}]}]}
	count(amb_ap_unenforced.violation) == 0 with input as review(with_port) with data.meshguard.inventory as ambient
	mixed := {"action": "DENY", "rules": [{"to": [{"operation": {"paths": ["/admin"]}}]}, {"from": [{"source": {"namespaces": ["legacy"]}}]}]}
	count(amb_ap_unenforced.violation) == 0 with input as review(mixed) with data.meshguard.inventory as ambient
}

test_outside_ambient_allowed if {
	count(amb_ap_unenforced.violation) == 0 with input as review(paths_deny) with data.meshguard.inventory as namespace({"istio-injection": "enabled"})

	# Sidecars win over ambient, and enforce HTTP attributes themselves.
	count(amb_ap_unenforced.violation) == 0 with input as review(paths_deny) with data.meshguard.inventory as namespace({"istio-injection": "enabled", "istio.io/dataplane-mode": "ambient"})
	count(amb_ap_unenforced.violation) == 0 with input as review(paths_deny) with data.meshguard.inventory as {}
}

test_waypoint_policies_allowed if {
	targeted := object.union(paths_deny, {"targetRefs": [{"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "waypoint"}]})
	count(amb_ap_unenforced.violation) == 0 with input as review(targeted) with data.meshguard.inventory as ambient
	legacy := object.union(paths_deny, {"selector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "waypoint"}}})
	count(amb_ap_unenforced.violation) == 0 with input as review(legacy) with data.meshguard.inventory as ambient
}

service(labels) := {"kind": "Service", "metadata": {"name": "reviews", "namespace": "shop", "labels": labels}}

waypoint(labels) := {"kind": "Gateway", "metadata": {"name": "wp", "namespace": "shop", "labels": labels}, "spec": {"gatewayClassName": "istio-waypoint"}}

service_ref := {"action": "ALLOW", "targetRefs": [{"kind": "Service", "group": "", "name": "reviews"}], "rules": [{"to": [{"operation": {"methods": ["GET"]}}]}]}

test_service_target_without_waypoint_denied if {
	inv := object.union(ambient, {"Service": {"shop": {"reviews": service({})}}, "KubernetesGateway": {}})
	amb_ap_unenforced.violation == {{
		"id": "amb-ap-unenforced",
		"message": "AuthorizationPolicy shop/ap targets Service shop/reviews, which no waypoint serves (no istio.io/use-waypoint on it or its namespace naming a Gateway of class istio-waypoint that takes service traffic); ztunnel ignores policies with targetRefs, so nothing enforces this ALLOW policy",
		"details": {"field": "spec.targetRefs[0]", "kind": "Service", "name": "reviews"},
	}} with input as review(service_ref) with data.meshguard.inventory as inv
}

test_service_target_on_workload_waypoint_denied if {
	inv := object.union(ambient, {"Service": {"shop": {"reviews": service({"istio.io/use-waypoint": "wp"})}}, "KubernetesGateway": {"shop": {"wp": waypoint({"istio.io/waypoint-for": "workload"})}}})
	count(amb_ap_unenforced.violation) == 1 with input as review(service_ref) with data.meshguard.inventory as inv
}

test_service_target_with_waypoint_allowed if {
	by_service := object.union(ambient, {"Service": {"shop": {"reviews": service({"istio.io/use-waypoint": "wp"})}}, "KubernetesGateway": {"shop": {"wp": waypoint({})}}})
	count(amb_ap_unenforced.violation) == 0 with input as review(service_ref) with data.meshguard.inventory as by_service
	by_namespace := object.union(namespace({"istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "wp"}), {"Service": {"shop": {"reviews": service({})}}, "KubernetesGateway": {"shop": {"wp": waypoint({})}}})
	count(amb_ap_unenforced.violation) == 0 with input as review(service_ref) with data.meshguard.inventory as by_namespace
}
