package meshguard.rules.amb_ap_l7_ztunnel_test

import data.meshguard.rules.amb_ap_l7_ztunnel

review(spec) := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": "shop",
	"operation": "CREATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ap", "namespace": "shop"}, "spec": spec},
}}

ambient := {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": {"istio.io/dataplane-mode": "ambient"}}}}}}

test_allow_with_http_rule_warned if {
	spec := {"rules": [{"from": [{"source": {"principals": ["cluster.local/ns/shop/sa/web"]}}]}, {"to": [{"operation": {"methods": ["GET"], "hosts": ["shop.example.com"]}}]}]}
	amb_ap_l7_ztunnel.violation == {{
		"id": "amb-ap-l7-ztunnel",
		"message": "AuthorizationPolicy shop/ap: ztunnel does not support HTTP attributes (found: hosts, methods) in rules[1]. In ambient mode you must use a waypoint proxy to enforce HTTP rules. Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.",
		"details": {"field": "spec.rules[1]", "httpAttributes": ["hosts", "methods"], "action": "ALLOW"},
	}} with input as review(spec) with data.meshguard.inventory as ambient
}

test_deny_kept_by_a_port_warned if {
	spec := {"action": "DENY", "rules": [{"to": [{"operation": {"ports": ["8080"], "notPaths": ["/healthz"]}}]}]}
	amb_ap_l7_ztunnel.violation == {{
		"id": "amb-ap-l7-ztunnel",
		"message": "AuthorizationPolicy shop/ap: ztunnel does not support HTTP attributes (found: notPaths) in rules[0]. In ambient mode you must use a waypoint proxy to enforce HTTP rules. DENY policy with HTTP attributes is enforced without the HTTP rules. This will be more restrictive than requested.",
		"details": {"field": "spec.rules[0]", "httpAttributes": ["notPaths"], "action": "DENY"},
	}} with input as review(spec) with data.meshguard.inventory as ambient
}

test_deny_rule_without_effect_beside_enforced_rules_warned if {
	spec := {"action": "DENY", "rules": [{"from": [{"source": {"namespaces": ["legacy"]}}]}, {"when": [{"key": "request.headers[x-debug]", "values": ["1"]}]}]}
	amb_ap_l7_ztunnel.violation == {{
		"id": "amb-ap-l7-ztunnel",
		"message": "AuthorizationPolicy shop/ap: ztunnel does not support HTTP attributes (found: request.headers[x-debug]) in rules[1]. In ambient mode you must use a waypoint proxy to enforce HTTP rules. After omitting the HTTP attributes this rule matches nothing at ztunnel and will have no effect; the policy's other rules are enforced.",
		"details": {"field": "spec.rules[1]", "httpAttributes": ["request.headers[x-debug]"], "action": "DENY"},
	}} with input as review(spec) with data.meshguard.inventory as ambient
}

test_deny_without_effect_left_to_amb_ap_unenforced if {
	spec := {"action": "DENY", "rules": [{"to": [{"operation": {"paths": ["/admin"]}}]}]}
	count(amb_ap_l7_ztunnel.violation) == 0 with input as review(spec) with data.meshguard.inventory as ambient
}

test_l4_only_waypoint_and_sidecar_policies_allowed if {
	l4 := {"rules": [{"from": [{"source": {"namespaces": ["web"], "ipBlocks": ["10.0.0.0/8"]}}], "to": [{"operation": {"ports": ["9080"]}}], "when": [{"key": "source.principal", "values": ["x"]}]}]}
	count(amb_ap_l7_ztunnel.violation) == 0 with input as review(l4) with data.meshguard.inventory as ambient
	l7 := {"targetRefs": [{"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "wp"}], "rules": [{"to": [{"operation": {"methods": ["GET"]}}]}]}
	count(amb_ap_l7_ztunnel.violation) == 0 with input as review(l7) with data.meshguard.inventory as ambient
	sidecar := {"rules": [{"to": [{"operation": {"methods": ["GET"]}}]}]}
	count(amb_ap_l7_ztunnel.violation) == 0 with input as review(sidecar) with data.meshguard.inventory as {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}}}}}
}
