# METADATA
# title: VirtualService matches must not repeat earlier matches
# description: |
#   A match that repeats an earlier match of the same route list (compared as written, without its
#   name) never decides anything: the earlier one wins (istioctl IST0131
#   VirtualServiceIneffectiveMatch, from Istio's analyzeUnreachable{HTTP,TCP,TLS}Rules). Matches
#   after a rule without a match are vs-unreachable-rule's finding. Istio's additional check of
#   overlapping URI prefixes is not reproduced. Needs no inventory.
# custom:
#   id: vs-ineffective-match
#   severity: low
#   enforcement: dryrun
#   kinds: [VirtualService]
#   istioCode: IST0131
package meshguard.rules.vs_ineffective_match

import data.meshguard.lib
import data.meshguard.lib.routes

violation contains {
	"id": "vs-ineffective-match",
	"message": concat("", [
		"VirtualService ", lib.namespace, "/", lib.name, " rule ", routes.rule_name(d.section, d.rule), " match ",
		routes.match_name(d.section, d.rule, d.match), " (", field, ") is not used: it repeats a match of rule ",
		routes.rule_name(d.section, d.first), " (IST0131)",
	]),
	"details": {"field": field, "duplicateOf": concat("", ["spec.", d.section, "[", format_int(d.first, 10), "]"])},
} if {
	lib.is_kind("VirtualService")
	some d in routes.duplicate_matches
	field := concat("", ["spec.", d.section, "[", format_int(d.rule, 10), "].match[", format_int(d.match, 10), "]"])
}
