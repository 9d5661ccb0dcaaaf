# METADATA
# title: AdmissionReview wrapper for OPA's own server (benchmarks only)
# description: |
#   Turns meshguard's violations into an AdmissionReview response, so that `opa run --server`
#   does the same work as meshguard's /validate: allowed when no violation is enforced as deny,
#   the denials listed as "[rule-id] message" in status.message, warn violations as warnings.
#   Served at /v1/data/meshguard/bench/admission/review (input wrapped as {"input": ...}) and,
#   as the default decision, at POST / (the AdmissionReview itself is the input).
package meshguard.bench.admission

import data.meshguard.main

denials contains sprintf("[%s] %s", [v.id, v.message]) if {
	some v in main.violations
	v.enforcement == "deny"
}

warnings contains sprintf("[%s] %s", [v.id, v.message]) if {
	some v in main.violations
	v.enforcement == "warn"
}

base := {"uid": input.request.uid, "allowed": count(denials) == 0}

with_warnings := object.union(base, {"warnings": sort(warnings)}) if {
	count(warnings) > 0
} else := base

response := object.union(with_warnings, {"status": {
	"code": 403,
	"reason": "Forbidden",
	"message": concat("", ["meshguard denied the request: ", concat("; ", sort(denials))]),
}}) if {
	count(denials) > 0
} else := with_warnings

review := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"response": response,
}
