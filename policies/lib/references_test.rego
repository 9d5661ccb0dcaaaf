package meshguard.lib.references_test

import data.meshguard.lib
import data.meshguard.lib.references

stored := {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "prod"}}

delete := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"name": "reviews",
	"operation": "DELETE",
	"object": null,
	"oldObject": stored,
}}

test_delete_reads_the_stored_object if {
	lib.obj == stored with input as delete
	lib.old_obj == stored with input as delete
	lib.name == "reviews" with input as delete
	lib.namespace == "prod" with input as delete
	lib.changes("DestinationRule") with input as delete
	not lib.writes with input as delete
	not lib.is_kind("DestinationRule") with input as delete
}

test_delete_without_any_object_still_names_it if {
	lib.name == "reviews" with input as object.union(delete, {"request": {"oldObject": null}})
	not lib.changes("DestinationRule") with input as object.union(delete, {"request": {"oldObject": null}})
}

test_items_leave_out_the_object_being_deleted if {
	lib.items("DestinationRule") == [{"kind": "DestinationRule", "metadata": {"name": "other", "namespace": "prod"}}] with input as delete
		with data.meshguard.inventory as {"DestinationRule": {"prod": {"reviews": stored, "other": {"kind": "DestinationRule", "metadata": {"name": "other", "namespace": "prod"}}}}}
}

test_a_gateway_api_gateway_is_a_kubernetes_gateway if {
	lib.kind == "KubernetesGateway" with input as {"request": {"kind": {"group": "gateway.networking.k8s.io", "kind": "Gateway"}, "operation": "DELETE"}}
	lib.kind == "Gateway" with input as {"request": {"kind": {"group": "networking.istio.io", "kind": "Gateway"}, "operation": "DELETE"}}
}

refs(n) := {{"kind": "VirtualService", "namespace": "prod", "name": sprintf("vs-%d", [i]), "field": "spec.gateways[0]"} | some i in numbers.range(1, n)}

test_listed_names_at_most_five_and_counts_the_rest if {
	references.listed(refs(2)) == "VirtualService prod/vs-1 (spec.gateways[0]), VirtualService prod/vs-2 (spec.gateways[0])"
	references.listed(refs(6)) == "VirtualService prod/vs-1 (spec.gateways[0]), VirtualService prod/vs-2 (spec.gateways[0]), VirtualService prod/vs-3 (spec.gateways[0]), VirtualService prod/vs-4 (spec.gateways[0]), VirtualService prod/vs-5 (spec.gateways[0]) and 1 more"
	[r.name | some r in references.shown(refs(6))] == ["vs-1", "vs-2", "vs-3", "vs-4", "vs-5"]
	references.describe({"kind": "Namespace", "namespace": "", "name": "shop", "field": "metadata.labels"}) == "Namespace shop (metadata.labels)"
}

# VirtualServices and their index (policies/lib/testdata/vs_index/data.json, built by
# inventory-index.ts: test/unit/policy/inventory-index.test.ts).
vs_inventory := data.lib.testdata.vs_index.inventory

vs_index := data.lib.testdata.vs_index.index

names(vss) := {concat("/", [v.metadata.namespace, v.metadata.name]) | some v in vss}

test_virtual_services_to_a_host_with_and_without_the_index if {
	# With the index: the VirtualServices writing the host or its short name (callers check the namespace).
	names(references.virtual_services_to({"reviews.prod.svc.cluster.local"})) == {"prod/short", "prod/full", "dev/short"} with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index
	names(references.virtual_services_to({"details.prod.svc.cluster.local"})) == set() with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index

	# A wildcard host, or no index: every VirtualService.
	every_vs := {"prod/short", "prod/full", "prod/gw", "prod/self", "dev/short", "dev/gw"}

	# A destination among the VirtualService's own hosts is found through the hosts it declares.
	names(references.virtual_services_to({"ratings.prod.svc.cluster.local"})) == {"prod/self"} with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index
	names(references.virtual_services_to({"shadow.prod.svc.cluster.local", "db.prod.svc.cluster.local"})) == {"prod/full"} with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index
	names(references.virtual_services_to({"*.prod.svc.cluster.local"})) == every_vs with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index
	names(references.virtual_services_to({"reviews.prod.svc.cluster.local"})) == every_vs with input as delete
		with data.meshguard.inventory as vs_inventory
}

test_virtual_services_with_a_gateway_with_and_without_the_index if {
	names(references.virtual_services_with_gateway({"namespace": "prod", "name": "public"})) == {"prod/gw", "dev/gw"} with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index
	names(references.virtual_services_with_gateway({"namespace": "infra", "name": "edge"})) == {"dev/gw"} with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index
	names(references.virtual_services_with_gateway({"namespace": "prod", "name": "private"})) == set() with input as delete
		with data.meshguard.inventory as vs_inventory
		with data.meshguard.index as vs_index
	count(references.virtual_services_with_gateway({"namespace": "prod", "name": "private"})) == 6 with input as delete
		with data.meshguard.inventory as vs_inventory
}

dr(ns, name, host) := {"kind": "DestinationRule", "metadata": {"name": name, "namespace": ns}, "spec": {"host": host}}

dr_inventory := {"DestinationRule": {
	"prod": {"short": dr("prod", "short", "reviews"), "full": dr("prod", "full", "ratings.prod.svc.cluster.local")},
	"dev": {"short": dr("dev", "short", "reviews"), "any": dr("dev", "any", "*.prod.svc.cluster.local")},
}}

# The index inventory-index.ts builds from dr_inventory (test/unit/policy/inventory-index.test.ts).
dr_index := {"DestinationRule": {
	"hosts": {
		"reviews": [["dev", "short"], ["prod", "short"]],
		"ratings.prod.svc.cluster.local": [["prod", "full"]],
		"*.prod.svc.cluster.local": [["dev", "any"]],
	},
	"wildcards": [["dev", "any"]],
}}

test_destination_rules_for_hosts_with_and_without_the_index if {
	names(references.destination_rules_for({"reviews.prod.svc.cluster.local"})) == {"prod/short", "dev/short", "dev/any"} with input as delete
		with data.meshguard.inventory as dr_inventory
		with data.meshguard.index as dr_index
	names(references.destination_rules_for({"ratings.prod.svc.cluster.local"})) == {"prod/full", "dev/any"} with input as delete
		with data.meshguard.inventory as dr_inventory
		with data.meshguard.index as dr_index
	count(references.destination_rules_for({"ratings.prod.svc.cluster.local"})) == 4 with input as delete
		with data.meshguard.inventory as dr_inventory
	count(references.destination_rules_for({"*.prod.svc.cluster.local"})) == 4 with input as delete
		with data.meshguard.inventory as dr_inventory
		with data.meshguard.index as dr_index
}
