package meshguard.lib.istio_test

import data.meshguard.lib.istio as mesh

# The shared tables (policies/lib/testdata/mesh/*/data.json, also run by test/unit/mesh/tables.test.ts).
tables := data.lib.testdata.mesh

test_the_tables_are_loaded if {
	count(tables.injection.cases) > 30
	count(tables.hosts.cases) > 10
	count(tables.exportto.cases) > 10
	count(tables.selectors.cases) > 10
	count(tables.owners.cases) > 5
}

ns_labels(c) := c.nsLabels

injection_got(c) := {
	"injected": mesh.injected_with(c.pod, c.ns, ns_labels(c), object.get(c, "injector", {})),
	"dataplane": mesh.dataplane_with(c.pod, c.ns, ns_labels(c), object.get(c, "injector", {})),
} if mesh.injected_with(c.pod, c.ns, ns_labels(c), object.get(c, "injector", {}))

injection_got(c) := {
	"injected": false,
	"dataplane": mesh.dataplane_with(c.pod, c.ns, ns_labels(c), object.get(c, "injector", {})),
} if not mesh.injected_with(c.pod, c.ns, ns_labels(c), object.get(c, "injector", {}))

test_injection_table if {
	wrong := [{"case": c.name, "got": injection_got(c)} |
		some c in tables.injection.cases
		injection_got(c) != {"injected": c.injected, "dataplane": c.dataplane}
	]
	wrong == []
}

host_namespace_or_null(h, ns) := mesh.host_namespace(h, ns) if mesh.host_namespace(h, ns)

host_namespace_or_null(h, ns) := null if not mesh.host_namespace(h, ns)

test_hosts_table if {
	wrong := [{"host": c.host, "fqdn": mesh.fqdn(c.host, c.ns), "namespace": host_namespace_or_null(c.host, c.ns)} |
		some c in tables.hosts.cases
		[mesh.fqdn(c.host, c.ns), host_namespace_or_null(c.host, c.ns)] != [c.fqdn, c.namespace]
	]
	wrong == []
}

matches_bool(a, b) if mesh.host_matches(a, b)

test_host_matches_table if {
	wrong := [m |
		some m in tables.hosts.matches
		matches_bool(m[0], m[1]) != m[2]
	]
	wrong == []
}

matches_bool(a, b) := false if not mesh.host_matches(a, b)

visible_bool(c) if mesh.visible(c.obj, c.from) with data.meshguard.meshConfig as object.get(c, "meshConfig", {})

visible_bool(c) := false if not mesh.visible(c.obj, c.from) with data.meshguard.meshConfig as object.get(c, "meshConfig", {})

test_exportto_table if {
	wrong := [c.name |
		some c in tables.exportto.cases
		visible_bool(c) != c.visible
	]
	wrong == []
}

selects_bool(c) if mesh.selects(c.selector, c.labels)

selects_bool(c) := false if not mesh.selects(c.selector, c.labels)

test_selectors_table if {
	wrong := [c |
		some c in tables.selectors.cases
		selects_bool(c) != c.selects
	]
	wrong == []
}

test_owners_table if {
	wrong := [{"case": c.name, "got": mesh.owner(c.pod)} |
		some c in tables.owners.cases
		mesh.owner(c.pod) != c.owner
	]
	wrong == []
}

test_config_prefers_the_mesh_config if {
	mesh.config("rootNamespace", "x") == "istio-config" with data.meshguard.meshConfig as {"rootNamespace": "istio-config"}
		with data.meshguard.config as {"mesh": {"rootNamespace": "istio-system"}}
	mesh.config("rootNamespace", "x") == "istio-system" with data.meshguard.meshConfig as {}
		with data.meshguard.config as {"mesh": {"rootNamespace": "istio-system"}}
	mesh.config("rootNamespace", "x") == "x" with data.meshguard.meshConfig as {}
		with data.meshguard.config as {}
}
