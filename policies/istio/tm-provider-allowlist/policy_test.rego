package meshguard.rules.tm_provider_allowlist_test

import data.meshguard.rules.tm_provider_allowlist

review(spec) := {"request": {
	"kind": {"kind": "Telemetry"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Telemetry", "metadata": {"name": "t", "namespace": "prod"}, "spec": spec},
}}

config(list) := {"rules": {"tm-provider-allowlist": {"params": {"allowedProviders": list}}}}

test_unlisted_provider_denied if {
	tm_provider_allowlist.violation == {{
		"id": "tm-provider-allowlist",
		"message": "Telemetry prod/t uses provider \"datadog\" in accessLogging[0], which is not in the allowed providers [\"prometheus\",\"otel\"]",
		"details": {"field": "spec.accessLogging[0].providers[1].name", "provider": "datadog", "allowed": ["prometheus", "otel"]},
	}} with input as review({
		"metrics": [{"providers": [{"name": "prometheus"}]}],
		"accessLogging": [{"providers": [{"name": "otel"}, {"name": "datadog"}]}],
	})
		with data.meshguard.config as config(["prometheus", "otel"])
}

test_default_list if {
	tm_provider_allowlist.violation == {{
		"id": "tm-provider-allowlist",
		"message": "Telemetry prod/t uses provider \"prometheus-typo\" in metrics[0], which is not in the allowed providers [\"prometheus\",\"stackdriver\",\"envoy\",\"otel\",\"otel-tracing\",\"zipkin\"]",
		"details": {"field": "spec.metrics[0].providers[0].name", "provider": "prometheus-typo", "allowed": ["prometheus", "stackdriver", "envoy", "otel", "otel-tracing", "zipkin"]},
	}} with input as review({"metrics": [{"providers": [{"name": "prometheus-typo"}]}], "tracing": [{"providers": [{"name": "zipkin"}]}]})
}

test_empty_list_accepts_any if {
	count(tm_provider_allowlist.violation) == 0 with input as review({"tracing": [{"providers": [{"name": "anything"}]}]})
		with data.meshguard.config as config([])
}

test_no_providers_allowed if {
	count(tm_provider_allowlist.violation) == 0 with input as review({"tracing": [{"randomSamplingPercentage": 1}]})
}

test_delete_ignored if {
	count(tm_provider_allowlist.violation) == 0 with input as {"request": {"kind": {"kind": "Telemetry"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}

test_provider_must_be_builtin_or_defined_in_the_mesh_config if {
	tm_provider_allowlist.violation == {{
		"id": "tm-provider-allowlist",
		"message": "Telemetry prod/t uses provider \"otel\" in tracing[0], which the mesh config does not define (extensionProviders [\"zipkin\"])",
		"details": {"field": "spec.tracing[0].providers[0].name", "provider": "otel", "extensionProviders": ["zipkin"]},
	}} with input as review({
		"metrics": [{"providers": [{"name": "prometheus"}]}],
		"tracing": [{"providers": [{"name": "otel"}, {"name": "zipkin"}]}],
	})
		with data.meshguard.config as config(["prometheus", "otel", "zipkin"])
		with data.meshguard.meshConfig as {"extensionProviders": ["zipkin"]}
}

test_no_mesh_config_no_extension_provider_check if {
	count(tm_provider_allowlist.violation) == 0 with input as review({"tracing": [{"providers": [{"name": "otel"}]}]})
		with data.meshguard.config as config(["otel"])
		with data.meshguard.meshConfig as {}
}
