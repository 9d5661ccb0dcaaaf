package meshguard.rules.amb_target_refs_test

import data.meshguard.rules.amb_target_refs

review(kind, ns, spec) := {"request": {
	"kind": {"kind": kind},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"kind": kind, "metadata": {"name": "p", "namespace": ns}, "spec": spec},
}}

gw_ref(name) := {"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": name}

inventory := {
	"Namespace": {"": {"shop": {"metadata": {"name": "shop"}}, "istio-system": {"metadata": {"name": "istio-system"}}}},
	"KubernetesGateway": {"shop": {"waypoint": {"metadata": {"name": "waypoint", "namespace": "shop"}, "spec": {"gatewayClassName": "istio-waypoint"}}}},
	"Service": {"shop": {"reviews": {"metadata": {"name": "reviews", "namespace": "shop"}}}},
	"ServiceEntry": {},
	"GatewayClass": {"": {"istio-waypoint": {"metadata": {"name": "istio-waypoint"}}}},
}

test_missing_targets_denied if {
	spec := {"targetRefs": [gw_ref("waypont"), {"kind": "Service", "name": "ratings"}, {"kind": "ServiceEntry", "group": "networking.istio.io", "name": "api"}]}
	amb_target_refs.violation == {
		{
			"id": "amb-target-refs",
			"message": "AuthorizationPolicy shop/p: spec.targetRefs[0] names Gateway shop/waypont, which does not exist, so the policy applies to nothing",
			"details": {"field": "spec.targetRefs[0]", "kind": "Gateway", "name": "waypont"},
		},
		{
			"id": "amb-target-refs",
			"message": "AuthorizationPolicy shop/p: spec.targetRefs[1] names Service shop/ratings, which does not exist, so the policy applies to nothing",
			"details": {"field": "spec.targetRefs[1]", "kind": "Service", "name": "ratings"},
		},
		{
			"id": "amb-target-refs",
			"message": "AuthorizationPolicy shop/p: spec.targetRefs[2] names ServiceEntry shop/api, which does not exist, so the policy applies to nothing",
			"details": {"field": "spec.targetRefs[2]", "kind": "ServiceEntry", "name": "api"},
		},
	} with input as review("AuthorizationPolicy", "shop", spec) with data.meshguard.inventory as inventory
}

test_selector_with_target_denied if {
	spec := {"selector": {"matchLabels": {"app": "reviews"}}, "targetRef": gw_ref("waypoint")}
	amb_target_refs.violation == {{
		"id": "amb-target-refs",
		"message": "RequestAuthentication shop/p sets both a selector and spec.targetRef; Istio accepts only one of them",
		"details": {"field": "spec.selector"},
	}} with input as review("RequestAuthentication", "shop", spec) with data.meshguard.inventory as inventory
}

test_unsupported_kind_and_namespace_denied if {
	spec := {"targetRefs": [{"kind": "HTTPRoute", "group": "gateway.networking.k8s.io", "name": "r"}, object.union(gw_ref("waypoint"), {"namespace": "infra"})]}
	amb_target_refs.violation == {
		{
			"id": "amb-target-refs",
			"message": "Telemetry shop/p: spec.targetRefs[0] names gateway.networking.k8s.io/HTTPRoute, which is not a supported target (Gateway or GatewayClass of gateway.networking.k8s.io, Service, ServiceEntry of networking.istio.io)",
			"details": {"field": "spec.targetRefs[0]", "kind": "HTTPRoute", "group": "gateway.networking.k8s.io"},
		},
		{
			"id": "amb-target-refs",
			"message": "Telemetry shop/p: spec.targetRefs[1] sets namespace infra; targets must be in the policy's own namespace",
			"details": {"field": "spec.targetRefs[1].namespace"},
		},
	} with input as review("Telemetry", "shop", spec) with data.meshguard.inventory as inventory
}

test_gateway_class_only_from_root if {
	spec := {"targetRefs": [{"kind": "GatewayClass", "group": "gateway.networking.k8s.io", "name": "istio-waypoint"}]}
	amb_target_refs.violation == {{
		"id": "amb-target-refs",
		"message": "AuthorizationPolicy shop/p: spec.targetRefs[0] names GatewayClass istio-waypoint, which Istio honours only from the root namespace istio-system",
		"details": {"field": "spec.targetRefs[0]", "kind": "GatewayClass", "name": "istio-waypoint"},
	}} with input as review("AuthorizationPolicy", "shop", spec) with data.meshguard.inventory as inventory
	count(amb_target_refs.violation) == 0 with input as review("AuthorizationPolicy", "istio-system", spec) with data.meshguard.inventory as inventory
}

test_existing_targets_allowed if {
	spec := {"targetRefs": [gw_ref("waypoint"), {"kind": "Service", "group": "core", "name": "reviews"}]}
	count(amb_target_refs.violation) == 0 with input as review("AuthorizationPolicy", "shop", spec) with data.meshguard.inventory as inventory
	count(amb_target_refs.violation) == 0 with input as review("WasmPlugin", "shop", {"targetRef": gw_ref("waypoint")}) with data.meshguard.inventory as inventory
	count(amb_target_refs.violation) == 0 with input as review("AuthorizationPolicy", "shop", {"selector": {"matchLabels": {"app": "reviews"}}}) with data.meshguard.inventory as inventory
}

test_unknown_kinds_are_silent if {
	spec := {"targetRefs": [gw_ref("waypont")]}
	count(amb_target_refs.violation) == 0 with input as review("AuthorizationPolicy", "shop", spec) with data.meshguard.inventory as {"Service": {}}
}
