package meshguard.rules.tm_empty_providers_test

import data.meshguard.rules.tm_empty_providers

review(access_logging) := {"request": {
	"kind": {"kind": "Telemetry"},
	"namespace": "istio-system",
	"operation": "CREATE",
	"object": {"kind": "Telemetry", "metadata": {"name": "mesh-default", "namespace": "istio-system"}, "spec": {"accessLogging": access_logging}},
}}

entries := [
	{"providers": [{"name": "envoy"}]},
	{"filter": {"expression": "response.code >= 400"}},
	{"disabled": true},
	{"providers": []},
]

test_empty_providers_warn if {
	tm_empty_providers.violation == {
		{
			"id": "tm-empty-providers",
			"message": "Telemetry istio-system/mesh-default: accessLogging[1] has empty providers and will be ignored, as the mesh config has no default access-logging provider",
			"details": {"field": "spec.accessLogging[1].providers"},
		},
		{
			"id": "tm-empty-providers",
			"message": "Telemetry istio-system/mesh-default: accessLogging[3] has empty providers and will be ignored, as the mesh config has no default access-logging provider",
			"details": {"field": "spec.accessLogging[3].providers"},
		},
	} with input as review(entries)
}

test_mesh_default_provider_silences if {
	count(tm_empty_providers.violation) == 0 with input as review(entries)
		with data.meshguard.config as {"mesh": {"defaultProviders": {"accessLogging": ["envoy"]}}}
	count(tm_empty_providers.violation) == 2 with input as review(entries)
		with data.meshguard.config as {"mesh": {"defaultProviders": {"metrics": ["prometheus"]}}}
}

test_providers_given_allowed if {
	count(tm_empty_providers.violation) == 0 with input as review([{"providers": [{"name": "envoy"}]}])
}
