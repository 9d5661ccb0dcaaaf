package meshguard.rules.host_in_use_test

import data.meshguard.rules.host_in_use

service(ns, name, ports) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"ports": [{"name": sprintf("p%d", [p]), "port": p} | some p in ports]},
}

entry(ns, name, hosts, ports) := {
	"apiVersion": "networking.istio.io/v1",
	"kind": "ServiceEntry",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"hosts": hosts, "ports": [{"name": sprintf("p%d", [p]), "number": p, "protocol": "TCP"} | some p in ports]},
}

request(operation, old, new) := {"request": {
	"uid": "1",
	"kind": {"group": object.get({"v1": ""}, old.apiVersion, "networking.istio.io"), "version": "v1", "kind": old.kind},
	"namespace": old.metadata.namespace,
	"name": old.metadata.name,
	"operation": operation,
	"object": new,
	"oldObject": old,
}}

vs(ns, name, destinations) := {
	"kind": "VirtualService",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"hosts": ["x"], "http": [{"route": [{"destination": d} | some d in destinations]}]},
}

reviews := service("prod", "reviews", [9080, 9090])

inventory := {
	"Service": {"prod": {"reviews": reviews}},
	"ServiceEntry": {},
	"VirtualService": {"prod": {
		"a": vs("prod", "a", [{"host": "reviews"}]),
		"b": vs("prod", "b", [{"host": "reviews.prod.svc.cluster.local", "port": {"number": 9090}}]),
		"c": vs("prod", "c", [{"host": "ratings"}]),
	}},
	"DestinationRule": {"prod": {"reviews": {"kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "prod"}, "spec": {"host": "reviews"}}}},
}

test_deleting_a_routed_service_is_refused if {
	host_in_use.violation == {{
		"id": "host-in-use",
		"message": "Service prod/reviews is deleted, but host reviews.prod.svc.cluster.local is still referenced by DestinationRule prod/reviews (spec.host), VirtualService prod/a (spec.http[0].route[0].destination), VirtualService prod/b (spec.http[0].route[0].destination)",
		"details": {
			"changedField": "metadata.name", "host": "reviews.prod.svc.cluster.local", "port": 0, "referrerCount": 3,
			"referrers": [
				{"kind": "DestinationRule", "namespace": "prod", "name": "reviews", "field": "spec.host"},
				{"kind": "VirtualService", "namespace": "prod", "name": "a", "field": "spec.http[0].route[0].destination"},
				{"kind": "VirtualService", "namespace": "prod", "name": "b", "field": "spec.http[0].route[0].destination"},
			],
		},
	}} with input as request("DELETE", reviews, null) with data.meshguard.inventory as inventory
}

test_removing_a_routed_port_is_refused if {
	host_in_use.violation == {{
		"id": "host-in-use",
		"message": "Service prod/reviews no longer serves port 9090 of host reviews.prod.svc.cluster.local, but port 9090 of host reviews.prod.svc.cluster.local is still referenced by VirtualService prod/b (spec.http[0].route[0].destination)",
		"details": {
			"changedField": "spec.ports[1]", "host": "reviews.prod.svc.cluster.local", "port": 9090, "referrerCount": 1,
			"referrers": [{"kind": "VirtualService", "namespace": "prod", "name": "b", "field": "spec.http[0].route[0].destination"}],
		},
	}} with input as request("UPDATE", reviews, service("prod", "reviews", [9080])) with data.meshguard.inventory as inventory
}

test_removing_a_service_entry_host_is_refused if {
	old := entry("prod", "payments", ["api.pay.example.com", "legacy.pay.example.com"], [443])
	host_in_use.violation == {{
		"id": "host-in-use",
		"message": "ServiceEntry prod/payments no longer serves host legacy.pay.example.com, but host legacy.pay.example.com is still referenced by VirtualService prod/pay (spec.http[0].route[0].destination)",
		"details": {
			"changedField": "spec.hosts[1]", "host": "legacy.pay.example.com", "port": 0, "referrerCount": 1,
			"referrers": [{"kind": "VirtualService", "namespace": "prod", "name": "pay", "field": "spec.http[0].route[0].destination"}],
		},
	}} with input as request("UPDATE", old, entry("prod", "payments", ["api.pay.example.com"], [443]))
		with data.meshguard.inventory as {"ServiceEntry": {"prod": {"payments": old}}, "VirtualService": {"prod": {"pay": vs("prod", "pay", [{"host": "legacy.pay.example.com"}, {"host": "api.pay.example.com"}])}}}
}

test_a_host_still_served_elsewhere_is_not_dangling if {
	count(host_in_use.violation) == 0 with input as request("DELETE", reviews, null)
		with data.meshguard.inventory as object.union(inventory, {"ServiceEntry": {"prod": {"e": entry("prod", "e", ["*.prod.svc.cluster.local"], [9080, 9090])}}})
}

test_a_service_not_visible_to_the_referrer_was_not_its_target if {
	hidden := object.union(reviews, {"metadata": {"annotations": {"networking.istio.io/exportTo": "other"}}})
	count(host_in_use.violation) == 0 with input as request("DELETE", hidden, null)
		with data.meshguard.inventory as object.union(inventory, {"Service": {"prod": {"reviews": hidden}}})
}

test_unchanged_updates_and_unknown_referrers_are_silent if {
	count(host_in_use.violation) == 0 with input as request("UPDATE", reviews, service("prod", "reviews", [9090, 9080, 8080])) with data.meshguard.inventory as inventory
	count(host_in_use.violation) == 0 with input as request("DELETE", reviews, null) with data.meshguard.inventory as {"Service": {"prod": {"reviews": reviews}}}
}
