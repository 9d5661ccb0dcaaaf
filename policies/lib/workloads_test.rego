package meshguard.lib.workloads_test

import data.meshguard.lib.workloads

tmpl := {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c"}]}}

test_pod_template_of_each_kind if {
	workloads.pod_template("Pod", {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c"}]}}) == tmpl
	workloads.pod_template("Deployment", {"spec": {"template": tmpl}}) == tmpl
	workloads.pod_template("StatefulSet", {"spec": {"template": tmpl}}) == tmpl
	workloads.pod_template("DaemonSet", {"spec": {"template": tmpl}}) == tmpl
	workloads.pod_template("ReplicaSet", {"spec": {"template": tmpl}}) == tmpl
	workloads.pod_template("Job", {"spec": {"template": tmpl}}) == tmpl
	workloads.pod_template("CronJob", {"spec": {"jobTemplate": {"spec": {"template": tmpl}}}}) == tmpl
}

test_pod_template_missing_parts_are_empty if {
	workloads.pod_template("Deployment", {}) == {}
	workloads.pod_template("CronJob", {"spec": {}}) == {}
	workloads.pod_template("Pod", {}) == {"metadata": {}, "spec": {}}
	not workloads.pod_template("Service", {"spec": {}})
}

test_field_paths if {
	workloads.field("Pod", "metadata.labels") == "metadata.labels"
	workloads.field("Deployment", "metadata.labels") == "spec.template.metadata.labels"
	workloads.field("CronJob", "spec") == "spec.jobTemplate.spec.template.spec"
}

test_template_of_admitted_object if {
	workloads.template == tmpl with input as {"request": {
		"kind": {"kind": "StatefulSet"},
		"operation": "UPDATE",
		"object": {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": tmpl}},
	}}
	not workloads.template with input as {"request": {
		"kind": {"kind": "StatefulSet"},
		"operation": "DELETE",
		"object": null,
	}}
}

meta(lbls, annos) := {"metadata": {"labels": lbls, "annotations": annos}}

test_injection_label_wins_over_annotation if {
	workloads.injection_decision(meta({"sidecar.istio.io/inject": "true"}, {"sidecar.istio.io/inject": "false"})) == "enabled"
	workloads.injection_decision(meta({"sidecar.istio.io/inject": "false"}, {"sidecar.istio.io/inject": "true"})) == "disabled"
	workloads.injection_setting(meta({"sidecar.istio.io/inject": "false"}, {"sidecar.istio.io/inject": "true"})) == {"value": "false", "source": "label"}
	workloads.injection_setting(meta({}, {"sidecar.istio.io/inject": "false"})) == {"value": "false", "source": "annotation"}
}

test_injection_values_as_istio_reads_them if {
	workloads.injection_decision(meta({}, {})) == "default"
	workloads.injection_decision(meta({"sidecar.istio.io/inject": ""}, {"sidecar.istio.io/inject": "false"})) == "default"
	workloads.injection_decision(meta({}, {"sidecar.istio.io/inject": "Yes"})) == "enabled"
	workloads.injection_decision(meta({}, {"sidecar.istio.io/inject": "ON"})) == "enabled"
	workloads.injection_decision(meta({}, {"sidecar.istio.io/inject": "no"})) == "disabled"
	workloads.injection_decision(meta({}, {"sidecar.istio.io/inject": "disabled"})) == "disabled"
	workloads.injection_decision(meta({}, {"sidecar.istio.io/inject": false})) == "disabled"
}

ns_inventory(lbls) := {"Namespace": {"": {"prod": {"kind": "Namespace", "metadata": {"name": "prod", "labels": lbls}}}}}

test_injected_by_namespace if {
	workloads.injected(meta({}, {}), "prod") with data.meshguard.inventory as ns_inventory({"istio-injection": "enabled"})
	not workloads.injected(meta({}, {}), "prod") with data.meshguard.inventory as ns_inventory({})
	not workloads.injected(meta({}, {"sidecar.istio.io/inject": "false"}), "prod") with data.meshguard.inventory as ns_inventory({"istio-injection": "enabled"})
}

test_injected_by_own_labels_when_namespace_unknown if {
	workloads.injected(meta({"sidecar.istio.io/inject": "true"}, {}), "prod") with data.meshguard.inventory as {}
	workloads.injected(meta({"istio.io/rev": "canary"}, {}), "prod") with data.meshguard.inventory as {}
	not workloads.injected(meta({}, {}), "prod") with data.meshguard.inventory as {}
}

test_matches_labels if {
	workloads.matches_labels({"app": "a"}, {"app": "a", "v": "1"})
	not workloads.matches_labels({"app": "a", "v": "2"}, {"app": "a", "v": "1"})
	workloads.matches_labels({}, {"app": "a"})
}

test_matches_selector_expressions if {
	lbls := {"app": "a", "tier": "web"}
	workloads.matches_selector({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}]}, lbls)
	not workloads.matches_selector({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web"]}]}, lbls)
	workloads.matches_selector({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["x"]}]}, lbls)
	workloads.matches_selector({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, lbls)
	not workloads.matches_selector({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, lbls)
	not workloads.matches_selector({"matchLabels": {"app": "b"}, "matchExpressions": [{"key": "app", "operator": "Exists"}]}, lbls)
}

inventory := {
	"Deployment": {"prod": {"web": {"kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}, "spec": {"template": {"metadata": {"labels": {"app": "web"}}}}}}},
	"Pod": {"dev": {"p": {"kind": "Pod", "metadata": {"name": "p", "namespace": "dev", "labels": {"app": "p"}}}}},
	"Job": {"prod": {"j": {"kind": "Job", "metadata": {"name": "j", "namespace": "prod"}, "spec": {"template": {"metadata": {"labels": {"app": "j"}}}}}}},
}

test_workloads_in_namespace if {
	workloads.workloads_in("prod") == [{"kind": "Deployment", "name": "web", "namespace": "prod", "labels": {"app": "web"}}] with data.meshguard.inventory as inventory
	count(workloads.all_workloads) == 2 with data.meshguard.inventory as inventory
	workloads.selectable_known with data.meshguard.inventory as inventory
	not workloads.selectable_known with data.meshguard.inventory as {"Job": {}}
}

# The shared table (policies/lib/testdata/workload_index/data.json): an inventory, the index
# inventory-index.ts builds from it, and selectors with the workloads they find.
table := data.lib.testdata.workload_index

no_request := {"request": {"kind": {"kind": "ConfigMap"}, "operation": "CREATE", "namespace": "none", "object": {"metadata": {"name": "x"}}}}

selects_indexed(want) if {
	workloads.selects_any(want) with input as no_request
		with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
} else := false

selects_scanning(want) if {
	workloads.selects_any(want) with input as no_request
		with data.meshguard.inventory as table.inventory
} else := false

selects_in_indexed(want, ns) if {
	workloads.selects_any_in(want, ns) with input as no_request
		with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
} else := false

selects_in_scanning(want, ns) if {
	workloads.selects_any_in(want, ns) with input as no_request
		with data.meshguard.inventory as table.inventory
} else := false

index_mismatches contains {"want": c.want, "index": index_used, "selects": got} if {
	some c in table.cases
	some index_used, got in {
		true: selects_indexed(c.want),
		false: selects_scanning(c.want),
	}
	got != c.selects
}

index_mismatches contains {"want": c.want, "namespace": ns, "index": index_used, "selects": got} if {
	some c in table.cases
	some ns, expected in c["in"]
	some index_used, got in {
		true: selects_in_indexed(c.want, ns),
		false: selects_in_scanning(c.want, ns),
	}
	got != expected
}

test_the_workload_index_table_is_loaded if count(table.cases) > 10

test_selectors_with_and_without_the_index if {
	count(index_mismatches) == 0
}

update_of(name) := {"request": {
	"kind": {"group": "apps", "kind": "Deployment"},
	"operation": "UPDATE",
	"namespace": "prod",
	"object": table.inventory.Deployment.prod[name],
	"oldObject": table.inventory.Deployment.prod[name],
}}

# The admitted workload does not select itself, with or without the index.
test_the_admitted_workload_is_not_its_own_match if {
	want := {"tier": "fe"}
	not workloads.selects_any(want) with input as update_of("web2") with data.meshguard.inventory as table.inventory
	not workloads.selects_any(want) with input as update_of("web2") with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
	not workloads.selects_any_in(want, "prod") with input as update_of("web2") with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
	workloads.selects_any_in(want, "prod") with input as update_of("web") with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
	workloads.selects_any_in({"app": "web", "version": "v1"}, "prod") with input as update_of("web2") with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
	not workloads.selects_any_in({"app": "web", "version": "v1"}, "prod") with input as update_of("web") with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
	workloads.selects_any({"app": "web", "version": "v1"}) with input as update_of("web") with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
}

test_any_workload_in_namespace_with_and_without_the_index if {
	workloads.any_workload_in("dev") with input as no_request with data.meshguard.inventory as table.inventory
	workloads.any_workload_in("dev") with input as no_request with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
	not workloads.any_workload_in("other") with input as no_request with data.meshguard.inventory as table.inventory
	not workloads.any_workload_in("other") with input as no_request with data.meshguard.inventory as table.inventory
		with data.meshguard.index as table.index
	only_web := {"Deployment": {"prod": {"web": table.inventory.Deployment.prod.web}}}
	not workloads.any_workload_in("prod") with input as update_of("web") with data.meshguard.inventory as only_web
	not workloads.any_workload_in("prod") with input as update_of("web") with data.meshguard.inventory as only_web
		with data.meshguard.index as {"Deployment": {"count": 1, "namespaces": {"prod": 1}}}
}
