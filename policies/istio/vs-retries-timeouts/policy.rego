# METADATA
# title: VirtualService retries and timeouts within org bounds
# description: |
#   Retries multiply load on a struggling service and long timeouts hold connections open. For
#   every spec.http[] entry: retries.attempts <= `maxRetryAttempts`, retries.perTryTimeout <=
#   `maxPerTryTimeout` and timeout <= `maxTimeout` (durations such as "2s", "500ms"). Values
#   that are not valid durations are left to the CRD schema. No inventory is needed.
# custom:
#   id: vs-retries-timeouts
#   severity: low
#   enforcement: warn
#   fix: 'Keep retries.attempts, retries.perTryTimeout and timeout within the params `maxRetryAttempts`, `maxPerTryTimeout` and `maxTimeout`.'
#   why: 'org bounds on tuning, not a failure'
#   kinds: [VirtualService]
package meshguard.rules.vs_retries_timeouts

import data.meshguard.lib
import data.meshguard.lib.networking

rule_id := "vs-retries-timeouts"

# Each distinct value of the VirtualService is judged once, whatever the number of routes; the
# routes are walked again to name the fields only when some value is over its limit.

violation contains {
	"id": rule_id,
	"message": sprintf("VirtualService %s/%s retries %d times (spec.http[%d].retries.attempts), above the org limit of %d", [lib.namespace, lib.name, attempts, i, limit]),
	"details": {"field": sprintf("spec.http[%d].retries.attempts", [i]), "value": attempts, "max": limit},
} if {
	count(excessive_attempts) > 0
	some i, rule in object.get(lib.obj.spec, "http", [])
	attempts := rule.retries.attempts
	excessive_attempts[attempts]
	limit := attempt_limit
}

attempt_limit := lib.param(rule_id, "maxRetryAttempts", 5)

# The distinct retry attempts above the limit.
excessive_attempts := {attempts |
	lib.is_kind("VirtualService")
	some rule in object.get(lib.obj.spec, "http", [])
	attempts := rule.retries.attempts
	is_number(attempts)
	attempts > attempt_limit
}

duration_limits := [
	{"path": ["retries", "perTryTimeout"], "param": "maxPerTryTimeout", "fallback": "30s"},
	{"path": ["timeout"], "param": "maxTimeout", "fallback": "60s"},
]

violation contains {
	"id": rule_id,
	"message": sprintf("VirtualService %s/%s sets %s %s, above the org limit of %s", [lib.namespace, lib.name, field, value, limit]),
	"details": {"field": field, "value": value, "max": limit},
} if {
	some d in duration_limits
	count(excessive_durations[d.param]) > 0
	some i, rule in object.get(lib.obj.spec, "http", [])
	value := walk_path(rule, d.path)
	excessive_durations[d.param][value]
	limit := lib.param(rule_id, d.param, d.fallback)
	field := sprintf("spec.http[%d].%s", [i, concat(".", d.path)])
}

# durations[param] holds the distinct values of the VirtualService at the field param limits.
durations[d.param] := {value |
	some rule in object.get(lib.obj.spec, "http", [])
	value := walk_path(rule, d.path)
} if {
	lib.is_kind("VirtualService")
	some d in duration_limits
}

# excessive_durations[param] holds the durations over the limit param.
excessive_durations := {param: {value |
	some value in values
	networking.duration_ms(value) > limit_ms[param]
} |
	some param, values in durations
	count(values) > 0
}

limit_ms := {d.param: ms | some d in duration_limits; ms := networking.duration_ms(lib.param(rule_id, d.param, d.fallback))}

walk_path(o, [k]) := o[k]

walk_path(o, [k1, k2]) := o[k1][k2]
