# METADATA
# title: DestinationRule connection pools must stay within org bounds
# description: |
#   Connection-pool settings outside sane bounds either disable circuit breaking (huge limits) or
#   make connections fail (a connect timeout of a few milliseconds, or of minutes). At every level
#   (spec.trafficPolicy, portLevelSettings, subsets' trafficPolicy and their portLevelSettings)
#   the rule checks connectionPool.tcp.maxConnections <= `maxTcpConnections`,
#   connectionPool.http.http2MaxRequests <= `maxHttp2Requests`,
#   connectionPool.http.http1MaxPendingRequests <= `maxHttp1PendingRequests`, and
#   connectionPool.tcp.connectTimeout between `minConnectTimeout` and `maxConnectTimeout`
#   (durations such as "100ms", "10s"). Fields that are not Istio fields (e.g.
#   http.maxConnections) are reported by the CRD schema check, not here. No inventory is needed.
# custom:
#   id: dr-connection-pool-bounds
#   severity: low
#   enforcement: warn
#   fix: 'Bring the connectionPool value within the params `maxTcpConnections`, `maxHttp2Requests`, `maxHttp1PendingRequests`, `minConnectTimeout` and `maxConnectTimeout`.'
#   why: 'org bounds on tuning, not a failure'
#   kinds: [DestinationRule]
package meshguard.rules.dr_connection_pool_bounds

import data.meshguard.lib
import data.meshguard.lib.networking

rule_id := "dr-connection-pool-bounds"

count_limits := [
	{"section": "tcp", "key": "maxConnections", "param": "maxTcpConnections", "fallback": 10000},
	{"section": "http", "key": "http2MaxRequests", "param": "maxHttp2Requests", "fallback": 10000},
	{"section": "http", "key": "http1MaxPendingRequests", "param": "maxHttp1PendingRequests", "fallback": 10000},
]

pools contains {"field": sprintf("%s.connectionPool", [level.field]), "pool": pool} if {
	lib.is_kind("DestinationRule")
	some level in networking.traffic_policies(lib.obj.spec)
	pool := level.policy.connectionPool
	is_object(pool)
}

violation contains {
	"id": rule_id,
	"message": sprintf("DestinationRule %s/%s sets %s %d, above the org limit of %d", [lib.namespace, lib.name, field, value, limit]),
	"details": {"field": field, "value": value, "max": limit},
} if {
	some p in pools
	some c in count_limits
	value := object.get(object.get(p.pool, c.section, {}), c.key, null)
	is_number(value)
	limit := lib.param(rule_id, c.param, c.fallback)
	value > limit
	field := sprintf("%s.%s.%s", [p.field, c.section, c.key])
}

violation contains {
	"id": rule_id,
	"message": sprintf("DestinationRule %s/%s sets %s %s, outside the org bounds %s to %s", [lib.namespace, lib.name, field, timeout, min_timeout, max_timeout]),
	"details": {"field": field, "value": timeout, "min": min_timeout, "max": max_timeout},
} if {
	some p in pools
	timeout := p.pool.tcp.connectTimeout
	ms := networking.duration_ms(timeout)
	min_timeout := lib.param(rule_id, "minConnectTimeout", "10ms")
	max_timeout := lib.param(rule_id, "maxConnectTimeout", "30s")
	out_of_bounds(ms, networking.duration_ms(min_timeout), networking.duration_ms(max_timeout))
	field := sprintf("%s.tcp.connectTimeout", [p.field])
}

out_of_bounds(ms, low, _) if ms < low

out_of_bounds(ms, _, high) if ms > high
