# METADATA
# title: VirtualService rules must be reachable
# description: |
#   Routes are tried in order, so a rule after a rule without a match, or a rule whose every match
#   repeats an earlier match, never takes traffic (istioctl IST0130 VirtualServiceUnreachableRule,
#   from Istio's analyzeUnreachable{HTTP,TCP,TLS}Rules): "only the last rule can have no matches",
#   "route without matches defined before", "all matches used by prior rules". Matches are
#   compared as written, without their name. Needs no inventory.
# custom:
#   id: vs-unreachable-rule
#   severity: medium
#   enforcement: warn
#   fix: 'Move the rule without a match to the end, or remove or change the rule that repeats earlier matches.'
#   why: 'dead configuration; nothing that worked breaks'
#   kinds: [VirtualService]
#   istioCode: IST0130
package meshguard.rules.vs_unreachable_rule

import data.meshguard.lib
import data.meshguard.lib.routes

violation contains finding(section, i, "only the last rule can have no matches") if {
	some section, first in routes.catch_all
	some i, rule in object.get(lib.obj.spec, section, [])
	i > first
	count(object.get(rule, "match", [])) == 0
}

violation contains finding(section, i, "route without matches defined before") if {
	some section, first in routes.catch_all
	some i, rule in object.get(lib.obj.spec, section, [])
	i > first
	count(object.get(rule, "match", [])) > 0
}

violation contains finding(section, i, "all matches used by prior rules") if {
	some section in routes.repeating_sections
	some i, rule in object.get(lib.obj.spec, section, [])
	matches := object.get(rule, "match", [])
	count(matches) > 0
	every k, _ in matches {
		routes.repeated[[section, i, k]]
	}
}

finding(section, i, reason) := {
	"id": "vs-unreachable-rule",
	"message": concat("", [
		"VirtualService ", lib.namespace, "/", lib.name, " rule ", routes.rule_name(section, i), " (", field,
		") is never used: ", reason, " (IST0130)",
	]),
	"details": {"field": field, "reason": reason},
} if {
	lib.is_kind("VirtualService")
	field := concat("", ["spec.", section, "[", format_int(i, 10), "]"])
}
