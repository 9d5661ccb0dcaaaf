# METADATA
# title: meshguard decision entrypoint
# description: |
#   Aggregates the violations of every rule under data.meshguard.rules and attaches the effective
#   enforcement of each: the namespace's enforcement label when the rule allows an override, else
#   the org config's value, else the rule's default from its METADATA (data.meshguard.catalog).
#   Input is the AdmissionReview; data.meshguard holds catalog, config and inventory.
package meshguard.main

import data.meshguard.lib

# Every violation of every rule, each {id, message, enforcement, details}.
violations contains out if {
	some pkg
	some v in data.meshguard.rules[pkg].violation
	out := shaped(v)
}

# shaped(v) is violation v as the webhook reports it, with its effective enforcement; undefined
# when that is "off". The per-kind entrypoints (data.meshguard.kinds, generated at build from the
# catalog's kinds) shape their rules' violations with it too.
shaped(v) := out if {
	enforcement := effective_enforcement(v.id)
	enforcement != "off"
	out := {
		"id": v.id,
		"message": v.message,
		"enforcement": enforcement,
		"details": object.get(v, "details", {}),
	}
}

valid_enforcement := {"deny", "warn", "dryrun", "off"}

rule_config(id) := object.get(object.get(lib.config, "rules", {}), id, {})

configured(id) := e if {
	e := rule_config(id).enforcement
	e in valid_enforcement
} else := data.meshguard.catalog[id].enforcement if {
	data.meshguard.catalog[id].enforcement in valid_enforcement
} else := "deny"

namespace_label := object.get(object.get(lib.config, "enforcement", {}), "namespaceLabel", "meshguard.io/enforcement")

# The namespace label overrides the configured enforcement unless the rule is locked. It is honoured
# only because writing it is guarded: the built-in check meshguard-exemption-authorization denies
# adding or changing it on a Namespace unless the request comes from a granter (README).
effective_enforcement(id) := e if {
	not rule_config(id).locked
	e := namespace_enforcement
} else := configured(id)

# The request namespace's enforcement label, looked up once per evaluation (a complete rule), not
# once per violation.
namespace_enforcement := e if {
	e := lib.namespace_labels(lib.namespace)[namespace_label]
	e in {"deny", "warn", "dryrun"}
}
