# METADATA
# title: Telemetry trace sampling must stay under the org cap
# description: |
#   A `tracing[].randomSamplingPercentage` above the org cap (param `maxSamplingPercentage`,
#   default 10) traces a large share of production requests: tracer load, storage cost and
#   latency grow with it. Namespaces listed in param `allowedNamespaces` (e.g. a staging or
#   debugging namespace) may sample up to 100%. Entries that do not set the percentage inherit the
#   mesh default and are not reported. Needs no inventory.
# custom:
#   id: tm-sampling-cap
#   severity: medium
#   enforcement: deny
#   fix: 'Lower tracing[].randomSamplingPercentage to at most the param `maxSamplingPercentage` (default 10), or have the namespace added to the param `allowedNamespaces`.'
#   why: 'tracing every request loads the proxies and the tracer and exports request data beyond what production should keep; the design document rejects it outside namespaces allowed to trace everything'
#   kinds: [Telemetry]
package meshguard.rules.tm_sampling_cap

import data.meshguard.lib

cap := lib.param("tm-sampling-cap", "maxSamplingPercentage", 10)

violation contains {
	"id": "tm-sampling-cap",
	"message": sprintf("Telemetry %s/%s samples %s%% of requests for tracing in tracing[%d], above the org cap of %s%%", [lib.namespace, lib.name, number_text(pct), i, number_text(cap)]),
	"details": {
		"field": sprintf("spec.tracing[%d].randomSamplingPercentage", [i]), "value": pct, "max": cap,
		"fix": sprintf("Lower tracing[%d].randomSamplingPercentage to %s or less (param maxSamplingPercentage), or have namespace %s added to the param allowedNamespaces.", [i, number_text(cap), lib.namespace]),
	},
} if {
	lib.is_kind("Telemetry")
	not lib.namespace in lib.param("tm-sampling-cap", "allowedNamespaces", [])
	some i, tracing in object.get(lib.obj.spec, "tracing", [])
	pct := tracing.randomSamplingPercentage
	is_number(pct)
	pct > cap
}

# number_text(x) prints x the same way in OPA and opa-wasm: integers without a fraction.
number_text(x) := format_int(x, 10) if x == floor(x)

number_text(x) := json.marshal(x) if x != floor(x)
