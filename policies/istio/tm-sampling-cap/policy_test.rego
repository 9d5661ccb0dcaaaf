package meshguard.rules.tm_sampling_cap_test

import data.meshguard.rules.tm_sampling_cap

review(ns, tracing) := {"request": {
	"kind": {"kind": "Telemetry"},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"kind": "Telemetry", "metadata": {"name": "default", "namespace": ns}, "spec": {"tracing": tracing}},
}}

test_full_sampling_denied if {
	tm_sampling_cap.violation == {{
		"id": "tm-sampling-cap",
		"message": "Telemetry prod/default samples 100% of requests for tracing in tracing[1], above the org cap of 10%",
		"details": {
			"field": "spec.tracing[1].randomSamplingPercentage", "value": 100, "max": 10,
			"fix": "Lower tracing[1].randomSamplingPercentage to 10 or less (param maxSamplingPercentage), or have namespace prod added to the param allowedNamespaces.",
		},
	}} with input as review("prod", [{"randomSamplingPercentage": 10}, {"randomSamplingPercentage": 100.0}])
}

test_under_cap_or_unset_allowed if {
	count(tm_sampling_cap.violation) == 0 with input as review("prod", [{"randomSamplingPercentage": 0}, {"randomSamplingPercentage": 9.99}, {"providers": [{"name": "zipkin"}]}])
}

test_allowed_namespace if {
	count(tm_sampling_cap.violation) == 0 with input as review("debug", [{"randomSamplingPercentage": 100}])
		with data.meshguard.config as {"rules": {"tm-sampling-cap": {"params": {"allowedNamespaces": ["debug"]}}}}
}

test_custom_cap if {
	tm_sampling_cap.violation == {{
		"id": "tm-sampling-cap",
		"message": "Telemetry prod/default samples 5% of requests for tracing in tracing[0], above the org cap of 1%",
		"details": {
			"field": "spec.tracing[0].randomSamplingPercentage", "value": 5, "max": 1,
			"fix": "Lower tracing[0].randomSamplingPercentage to 1 or less (param maxSamplingPercentage), or have namespace prod added to the param allowedNamespaces.",
		},
	}} with input as review("prod", [{"randomSamplingPercentage": 5}])
		with data.meshguard.config as {"rules": {"tm-sampling-cap": {"params": {"maxSamplingPercentage": 1}}}}
}

test_delete_ignored if {
	count(tm_sampling_cap.violation) == 0 with input as {"request": {"kind": {"kind": "Telemetry"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}

test_fractional_percentage if {
	tm_sampling_cap.violation == {{
		"id": "tm-sampling-cap",
		"message": "Telemetry prod/default samples 54.54% of requests for tracing in tracing[0], above the org cap of 10%",
		"details": {
			"field": "spec.tracing[0].randomSamplingPercentage", "value": 54.54, "max": 10,
			"fix": "Lower tracing[0].randomSamplingPercentage to 10 or less (param maxSamplingPercentage), or have namespace prod added to the param allowedNamespaces.",
		},
	}} with input as review("prod", [{"randomSamplingPercentage": 54.54}])
}
