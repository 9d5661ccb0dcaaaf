package meshguard.rules.dr_mtls_conflict_test

import data.meshguard.rules.dr_mtls_conflict

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": "reviews", "namespace": "prod"},
		"spec": spec,
	},
}}

pa(ns, mode) := {"kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": ns}, "spec": {"mtls": {"mode": mode}}}

disable := {"host": "reviews", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}

test_namespace_strict_conflict_is_denied if {
	dr_mtls_conflict.violation == {{
		"id": "dr-mtls-conflict",
		"message": "DestinationRule prod/reviews sets spec.trafficPolicy.tls.mode DISABLE for host reviews, but PeerAuthentication prod/default requires STRICT mTLS in namespace prod, so these connections will be refused",
		"details": {"field": "spec.trafficPolicy.tls.mode", "host": "reviews", "namespace": "prod", "peerAuthentications": ["prod/default"]},
	}} with input as review(disable)
		with data.meshguard.inventory as {"PeerAuthentication": {"prod": {"default": pa("prod", "STRICT")}}}
}

test_root_strict_applies_to_other_namespaces if {
	dr_mtls_conflict.violation == {{
		"id": "dr-mtls-conflict",
		"message": "DestinationRule prod/reviews sets spec.subsets[0].trafficPolicy.tls.mode DISABLE for host ratings.other.svc.cluster.local, but PeerAuthentication istio-system/default requires STRICT mTLS in namespace other, so these connections will be refused",
		"details": {"field": "spec.subsets[0].trafficPolicy.tls.mode", "host": "ratings.other.svc.cluster.local", "namespace": "other", "peerAuthentications": ["istio-system/default"]},
	}} with input as review({"host": "ratings.other.svc.cluster.local", "subsets": [{"name": "v1", "labels": {"v": "1"}, "trafficPolicy": {"tls": {"mode": "DISABLE"}}}]})
		with data.meshguard.inventory as {"PeerAuthentication": {"istio-system": {"default": pa("istio-system", "STRICT")}}}
}

test_namespace_permissive_overrides_root_strict if {
	count(dr_mtls_conflict.violation) == 0 with input as review(disable)
		with data.meshguard.inventory as {"PeerAuthentication": {
			"prod": {"default": pa("prod", "PERMISSIVE")},
			"istio-system": {"default": pa("istio-system", "STRICT")},
		}}
}

test_workload_policy_is_not_namespace_wide if {
	count(dr_mtls_conflict.violation) == 0 with input as review(disable)
		with data.meshguard.inventory as {"PeerAuthentication": {"prod": {"app": {
			"kind": "PeerAuthentication",
			"metadata": {"name": "app", "namespace": "prod"},
			"spec": {"selector": {"matchLabels": {"app": "reviews"}}, "mtls": {"mode": "STRICT"}},
		}}}}
}

test_mutual_is_allowed if {
	count(dr_mtls_conflict.violation) == 0 with input as review({"host": "reviews", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}})
		with data.meshguard.inventory as {"PeerAuthentication": {"prod": {"default": pa("prod", "STRICT")}}}
}

test_external_host_is_allowed if {
	count(dr_mtls_conflict.violation) == 0 with input as review({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "DISABLE"}}})
		with data.meshguard.inventory as {"PeerAuthentication": {"istio-system": {"default": pa("istio-system", "STRICT")}}}
}

test_unknown_peer_authentication_is_silent if {
	count(dr_mtls_conflict.violation) == 0 with input as review(disable)
		with data.meshguard.inventory as {"DestinationRule": {}}
}

test_delete_is_ignored if {
	count(dr_mtls_conflict.violation) == 0 with input as object.union(review(disable), {"request": {"operation": "DELETE"}})
		with data.meshguard.inventory as {"PeerAuthentication": {"prod": {"default": pa("prod", "STRICT")}}}
}
