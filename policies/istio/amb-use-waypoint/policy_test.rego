package meshguard.rules.amb_use_waypoint_test

import data.meshguard.rules.amb_use_waypoint

review(kind, o) := {"request": {"kind": {"kind": kind}, "namespace": object.get(o.metadata, "namespace", ""), "operation": "CREATE", "object": o}}

service(labels) := {"kind": "Service", "metadata": {"name": "reviews", "namespace": "shop", "labels": labels}, "spec": {}}

deployment(labels) := {"kind": "Deployment", "metadata": {"name": "reviews-v1", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": labels}, "spec": {}}}}

waypoint(ns, name, labels) := {"kind": "Gateway", "metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": {"gatewayClassName": "istio-waypoint"}}

inventory(gateways) := {"KubernetesGateway": gateways, "Namespace": {"": {"shop": {"metadata": {"name": "shop"}}, "infra": {"metadata": {"name": "infra"}}}}}

test_missing_waypoint_denied if {
	amb_use_waypoint.violation == {{
		"id": "amb-use-waypoint",
		"message": "Service shop/reviews uses waypoint shop/reviews-wp, which does not exist (no Gateway of class istio-waypoint with that name), so its traffic bypasses the waypoint and the waypoint's L7 policies",
		"details": {"field": "metadata.labels[istio.io/use-waypoint]", "waypoint": "shop/reviews-wp"},
	}} with input as review("Service", service({"istio.io/use-waypoint": "reviews-wp"}))
		with data.meshguard.inventory as inventory({"shop": {"other": waypoint("shop", "other", {})}})
}

test_gateway_of_another_class_is_no_waypoint if {
	gw := object.union(waypoint("shop", "reviews-wp", {}), {"spec": {"gatewayClassName": "istio"}})
	count(amb_use_waypoint.violation) == 1 with input as review("Service", service({"istio.io/use-waypoint": "reviews-wp"}))
		with data.meshguard.inventory as inventory({"shop": {"reviews-wp": gw}})
}

shared(from) := object.union(waypoint("infra", "shared", {}), {"spec": {"listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE", "allowedRoutes": {"namespaces": from}}]}})

cross_ns := service({"istio.io/use-waypoint": "shared", "istio.io/use-waypoint-namespace": "infra"})

test_waypoint_in_another_namespace if {
	count(amb_use_waypoint.violation) == 0 with input as review("Service", cross_ns)
		with data.meshguard.inventory as inventory({"infra": {"shared": shared({"from": "All"})}})
	amb_use_waypoint.violation == {{
		"id": "amb-use-waypoint",
		"message": "Service shop/reviews uses waypoint infra/shared, which does not exist (no Gateway of class istio-waypoint with that name), so its traffic bypasses the waypoint and the waypoint's L7 policies",
		"details": {"field": "metadata.labels[istio.io/use-waypoint]", "waypoint": "infra/shared"},
	}} with input as review("Service", cross_ns)
		with data.meshguard.inventory as inventory({"shop": {"shared": waypoint("shop", "shared", {})}})
}

test_waypoint_of_another_namespace_must_admit_it if {
	amb_use_waypoint.violation == {{
		"id": "amb-use-waypoint",
		"message": "Service shop/reviews uses waypoint infra/shared, whose HBONE listener does not admit namespace shop (allowedRoutes.namespaces.from: Same), so its traffic bypasses the waypoint and the waypoint's L7 policies",
		"details": {"field": "metadata.labels[istio.io/use-waypoint]", "waypoint": "infra/shared", "from": "Same"},
	}} with input as review("Service", cross_ns)
		with data.meshguard.inventory as inventory({"infra": {"shared": waypoint("infra", "shared", {})}})
	selector := {"from": "Selector", "selector": {"matchLabels": {"team": "shop"}}}
	count(amb_use_waypoint.violation) == 1 with input as review("Service", cross_ns)
		with data.meshguard.inventory as inventory({"infra": {"shared": shared(selector)}})
	labelled := object.union(inventory({"infra": {"shared": shared(selector)}}), {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": {"team": "shop"}}}}}})
	count(amb_use_waypoint.violation) == 0 with input as review("Service", cross_ns)
		with data.meshguard.inventory as labelled
}

test_service_waypoint_for_workload_denied if {
	amb_use_waypoint.violation == {{
		"id": "amb-use-waypoint",
		"message": "Service shop/reviews uses waypoint shop/wp, which takes only workload traffic (istio.io/waypoint-for), so its service traffic bypasses the waypoint and the waypoint's L7 policies",
		"details": {"field": "metadata.labels[istio.io/use-waypoint]", "waypoint": "shop/wp", "waypointFor": "workload", "traffic": "service"},
	}} with input as review("Service", service({"istio.io/use-waypoint": "wp"}))
		with data.meshguard.inventory as inventory({"shop": {"wp": waypoint("shop", "wp", {"istio.io/waypoint-for": "workload"})}})
}

test_workload_on_default_service_waypoint_denied if {
	amb_use_waypoint.violation == {{
		"id": "amb-use-waypoint",
		"message": "Deployment shop/reviews-v1 uses waypoint shop/wp, which takes only service traffic (istio.io/waypoint-for), so its workload traffic bypasses the waypoint and the waypoint's L7 policies",
		"details": {"field": "spec.template.metadata.labels[istio.io/use-waypoint]", "waypoint": "shop/wp", "waypointFor": "service", "traffic": "workload"},
	}} with input as review("Deployment", deployment({"istio.io/use-waypoint": "wp"}))
		with data.meshguard.inventory as inventory({"shop": {"wp": waypoint("shop", "wp", {})}})
}

test_gateway_class_label_sets_the_default if {
	class := {"kind": "GatewayClass", "metadata": {"name": "istio-waypoint", "labels": {"istio.io/waypoint-for": "all"}}}
	inv := object.union(inventory({"shop": {"wp": waypoint("shop", "wp", {})}}), {"GatewayClass": {"": {"istio-waypoint": class}}})
	count(amb_use_waypoint.violation) == 0 with input as review("Deployment", deployment({"istio.io/use-waypoint": "wp"}))
		with data.meshguard.inventory as inv
}

test_all_and_none_allowed if {
	count(amb_use_waypoint.violation) == 0 with input as review("Deployment", deployment({"istio.io/use-waypoint": "wp"}))
		with data.meshguard.inventory as inventory({"shop": {"wp": waypoint("shop", "wp", {"istio.io/waypoint-for": "all"})}})
	count(amb_use_waypoint.violation) == 0 with input as review("Service", service({"istio.io/use-waypoint": "none"}))
		with data.meshguard.inventory as inventory({})
}

test_namespace_label_checked_for_existence_only if {
	ns := {"kind": "Namespace", "metadata": {"name": "shop", "labels": {"istio.io/use-waypoint": "wp"}}}
	amb_use_waypoint.violation == {{
		"id": "amb-use-waypoint",
		"message": "Namespace shop uses waypoint shop/wp, which does not exist (no Gateway of class istio-waypoint with that name), so its traffic bypasses the waypoint and the waypoint's L7 policies",
		"details": {"field": "metadata.labels[istio.io/use-waypoint]", "waypoint": "shop/wp"},
	}} with input as review("Namespace", ns) with data.meshguard.inventory as inventory({})
	count(amb_use_waypoint.violation) == 0 with input as review("Namespace", ns)
		with data.meshguard.inventory as inventory({"shop": {"wp": waypoint("shop", "wp", {"istio.io/waypoint-for": "workload"})}})
}

test_gateways_not_known_is_silent if {
	count(amb_use_waypoint.violation) == 0 with input as review("Service", service({"istio.io/use-waypoint": "wp"}))
		with data.meshguard.inventory as {"Service": {}}
}

test_empty_waypoint_namespace_denied if {
	amb_use_waypoint.violation == {{
		"id": "amb-use-waypoint",
		"message": "Service shop/reviews uses waypoint /wp, which does not exist (no Gateway of class istio-waypoint with that name), so its traffic bypasses the waypoint and the waypoint's L7 policies",
		"details": {"field": "metadata.labels[istio.io/use-waypoint]", "waypoint": "/wp"},
	}} with input as review("Service", service({"istio.io/use-waypoint": "wp", "istio.io/use-waypoint-namespace": ""}))
		with data.meshguard.inventory as inventory({"shop": {"wp": waypoint("shop", "wp", {})}})
}
