# METADATA
# title: AuthorizationPolicy must not allow every request
# description: |
#   An ALLOW AuthorizationPolicy (action ALLOW or unset) with a rule that has no from, to or when
#   (e.g. `rules: [{}]`) matches every request, so it allows all traffic to the selected workloads
#   and overrides the deny-by-default that any other ALLOW policy sets up. Note the difference
#   Istio makes: an ALLOW policy with NO rules (`spec: {}`) matches nothing and is therefore
#   deny-all, which is legitimate and not reported. DENY, AUDIT and CUSTOM policies with an empty
#   rule are not reported either (they narrow, log or delegate). Needs no inventory.
# custom:
#   id: ap-allow-all
#   severity: high
#   enforcement: deny
#   fix: 'Give every rule of an ALLOW policy a from, to or when that names who may call, or use `spec: {}` (no rules) for deny-all.'
#   why: 'opens the selected workloads to every caller (security)'
#   kinds: [AuthorizationPolicy]
package meshguard.rules.ap_allow_all

import data.meshguard.lib

violation contains {
	"id": "ap-allow-all",
	"message": sprintf("AuthorizationPolicy %s/%s allows every request: rules[%d] has no from, to or when", [lib.namespace, lib.name, i]),
	"details": {"field": sprintf("spec.rules[%d]", [i]), "action": action, "rule": rule},
} if {
	lib.is_kind("AuthorizationPolicy")
	action := object.get(lib.obj.spec, "action", "ALLOW")
	action == "ALLOW"
	some i, rule in object.get(lib.obj.spec, "rules", [])
	matches_everything(rule)
}

# A rule matches every request when none of its conditions is set (null or empty lists count as unset).
matches_everything(rule) if {
	every key in ["from", "to", "when"] {
		empty(object.get(rule, key, []))
	}
}

matches_everything(rule) if is_null(rule)

empty(x) if is_null(x)

empty(x) if count(x) == 0
