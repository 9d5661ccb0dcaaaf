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
