package meshguard.rules.vs_destination_host_test

import data.meshguard.rules.vs_destination_host

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

svc(ns, name, ports, annotations) := {
	"kind": "Service",
	"metadata": {"name": name, "namespace": ns, "annotations": annotations},
	"spec": {"ports": [{"name": sprintf("p%d", [p]), "port": p} | some p in ports]},
}

se(ns, name, hosts, ports, export_to) := {
	"kind": "ServiceEntry",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"hosts": hosts, "ports": [{"number": p, "name": sprintf("p%d", [p]), "protocol": "HTTP"} | some p in ports], "exportTo": export_to},
}

inventory := {
	"Service": {
		"prod": {"reviews": svc("prod", "reviews", [9080], {})},
		"other": {
			"ratings": svc("other", "ratings", [9080], {}),
			"private": svc("other", "private", [80], {"networking.istio.io/exportTo": "."}),
		},
	},
	"ServiceEntry": {
		"prod": {"ext": se("prod", "ext", ["api.example.com"], [443], [])},
		"edge": {
			"wild": se("edge", "wild", ["*.example.org"], [443], ["*"]),
			"local": se("edge", "local", ["local.example.net"], [443], ["."]),
		},
	},
}

dest(host) := {"destination": {"host": host}}

dest_port(host, port) := {"destination": {"host": host, "port": {"number": port}}}

spec := {
	"hosts": ["my-app"], "http": [
		{"route": [dest("reviews"), dest("ratings.other.svc.cluster.local"), dest("nope")], "mirror": {"host": "private.other.svc.cluster.local"}},
		{"route": [dest_port("reviews", 9080), dest_port("reviews.prod.svc.cluster.local", 8080)], "mirrors": [dest("local.example.net")]},
	],
	"tcp": [{"route": [dest_port("api.example.com", 443), dest("db.example.org")]}], "tls": [{"route": [dest("ratings.other")]}],
}

test_missing_hosts_and_ports_are_denied if {
	vs_destination_host.violation == {
		{
			"id": "vs-destination-host",
			"message": "VirtualService prod/my-app routes to nope (spec.http[0].route[2].destination), but no Service or ServiceEntry visible to it has that host (Referenced host not found: \"nope\")",
			"details": {"field": "spec.http[0].route[2].destination", "host": "nope"},
		},
		{
			"id": "vs-destination-host",
			"message": "VirtualService prod/my-app routes to private.other.svc.cluster.local (spec.http[0].mirror), but no Service or ServiceEntry visible to it has that host (Referenced mirror host not found: \"private.other.svc.cluster.local\")",
			"details": {"field": "spec.http[0].mirror", "host": "private.other.svc.cluster.local"},
		},
		{
			"id": "vs-destination-host",
			"message": "VirtualService prod/my-app routes to reviews.prod.svc.cluster.local (spec.http[1].route[1].destination), but Service prod/reviews does not expose port 8080 (Referenced host:port not found: \"reviews.prod.svc.cluster.local:8080\")",
			"details": {"field": "spec.http[1].route[1].destination", "host": "reviews.prod.svc.cluster.local", "port": "8080"},
		},
		{
			"id": "vs-destination-host",
			"message": "VirtualService prod/my-app routes to local.example.net (spec.http[1].mirrors[0].destination), but no Service or ServiceEntry visible to it has that host (Referenced mirror host not found: \"local.example.net\")",
			"details": {"field": "spec.http[1].mirrors[0].destination", "host": "local.example.net"},
		},
		{
			"id": "vs-destination-host",
			"message": "VirtualService prod/my-app routes to ratings.other (spec.tls[0].route[0].destination), but no Service or ServiceEntry visible to it has that host (Referenced host not found: \"ratings.other\")",
			"details": {"field": "spec.tls[0].route[0].destination", "host": "ratings.other"},
		},
	} with input as review(spec)
		with data.meshguard.inventory as inventory
}

test_export_to_of_the_virtual_service_widens_the_lookup if {
	count(vs_destination_host.violation) == 0 with input as review({"exportTo": ["other"], "hosts": ["x"], "http": [{"route": [dest("private.other.svc.cluster.local")]}]})
		with data.meshguard.inventory as inventory
}

test_service_entry_local_to_its_namespace_is_found_there if {
	count(vs_destination_host.violation) == 0 with input as object.union(review({"hosts": ["x"], "http": [{"route": [dest("local.example.net")]}]}), {"request": {"namespace": "edge", "object": {"metadata": {"namespace": "edge"}}}})
		with data.meshguard.inventory as inventory
}

test_wildcard_service_entry_covers_the_host_and_a_narrower_wildcard if {
	count(vs_destination_host.violation) == 0 with input as review({"hosts": ["x"], "tcp": [{"route": [dest("a.example.org"), dest("*.b.example.org")]}]})
		with data.meshguard.inventory as inventory
}

test_unknown_services_are_silent if {
	count(vs_destination_host.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"ServiceEntry": {}}
}

test_other_kinds_and_deletes_are_silent if {
	count(vs_destination_host.violation) == 0 with input as object.union(review(spec), {"request": {"operation": "DELETE"}})
		with data.meshguard.inventory as inventory
	count(vs_destination_host.violation) == 0 with input as object.union(review(spec), {"request": {"kind": {"kind": "DestinationRule"}}})
		with data.meshguard.inventory as inventory
}

test_several_service_entries_with_one_host_resolve_to_the_first if {
	inv := object.union(inventory, {"ServiceEntry": {"prod": {
		"ext2": se("prod", "ext2", ["api.example.com"], [8443], []),
		"wild2": se("prod", "wild2", ["*.example.org"], [443], []),
	}}})
	vs_destination_host.violation == {{
		"id": "vs-destination-host",
		"message": "VirtualService prod/my-app routes to api.example.com (spec.tcp[0].route[0].destination), but ServiceEntry prod/ext does not expose port 8443 (Referenced host:port not found: \"api.example.com:8443\")",
		"details": {"field": "spec.tcp[0].route[0].destination", "host": "api.example.com", "port": "8443"},
	}} with input as review({"hosts": ["x"], "tcp": [{"route": [dest_port("api.example.com", 8443), dest("a.example.org")]}]})
		with data.meshguard.inventory as inv
}

ns_object(name) := {"Namespace": {"": {name: {"kind": "Namespace", "metadata": {"name": name}}}}}

test_hosts_of_uncovered_namespaces_are_judged_only_once_covered if {
	uncovered := {"hosts": ["my-app"], "http": [{"route": [dest("api.elsewhere.svc.cluster.local"), dest("api.elsewhere")]}]}

	# No Service of namespace elsewhere and no Namespace elsewhere: the files do not speak for it,
	# so api.elsewhere.svc.cluster.local is silent. "api.elsewhere" is taken as written (not a
	# service host) and judged in the VirtualService's namespace prod, which the inventory covers.
	{v.details.host | some v in vs_destination_host.violation} == {"api.elsewhere"} with input as review(uncovered)
		with data.meshguard.inventory as inventory

	# The Namespace is known (always so in a cluster): reported.
	{v.details.host | some v in vs_destination_host.violation} == {"api.elsewhere", "api.elsewhere.svc.cluster.local"} with input as review(uncovered)
		with data.meshguard.inventory as object.union(inventory, ns_object("elsewhere"))

	# A short name is in the VirtualService's namespace: uncovered when prod has no Service.
	count(vs_destination_host.violation) == 0 with input as review({"hosts": ["my-app"], "http": [{"route": [dest("nope")]}]})
		with data.meshguard.inventory as {"Service": {"other": inventory.Service.other}}
}
