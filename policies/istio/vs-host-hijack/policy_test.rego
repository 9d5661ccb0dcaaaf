package meshguard.rules.vs_host_hijack_test

import data.meshguard.rules.vs_host_hijack

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "VirtualService",
		"metadata": {"name": "my-app", "namespace": "prod"},
		"spec": spec,
	},
}}

delete(spec) := object.union(review(spec), {"request": {"operation": "DELETE"}})

other_kind(spec) := object.union(review(spec), {"request": {"kind": {"kind": "DestinationRule"}}})

test_other_namespace_host_warns if {
	vs_host_hijack.violation == {
		{
			"id": "vs-host-hijack",
			"message": "VirtualService prod/my-app claims host reviews.other.svc.cluster.local (spec.hosts[1]) of namespace other; a namespace should only route its own services",
			"details": {"field": "spec.hosts[1]", "host": "reviews.other.svc.cluster.local", "hostNamespace": "other"},
		},
		{
			"id": "vs-host-hijack",
			"message": "VirtualService prod/my-app claims host *.payments.svc.cluster.local (spec.hosts[2]) of namespace payments; a namespace should only route its own services",
			"details": {"field": "spec.hosts[2]", "host": "*.payments.svc.cluster.local", "hostNamespace": "payments"},
		},
	} with input as review({"hosts": ["my-app", "reviews.other.svc.cluster.local", "*.payments.svc.cluster.local"]})
}

test_own_and_external_hosts_are_allowed if {
	count(vs_host_hijack.violation) == 0 with input as review({"hosts": ["my-app", "my-app.prod.svc.cluster.local", "*.prod.svc.cluster.local", "api.example.com", "*"]})
}

test_allowed_namespace_param if {
	count(vs_host_hijack.violation) == 0 with input as review({"hosts": ["reviews.other.svc.cluster.local"]})
		with data.meshguard.config as {"rules": {"vs-host-hijack": {"params": {"allowedNamespaces": ["prod"]}}}}
}

test_delete_is_ignored if {
	count(vs_host_hijack.violation) == 0 with input as delete({"hosts": ["reviews.other.svc.cluster.local"]})
}
