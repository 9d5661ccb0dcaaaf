# METADATA
# title: VirtualService route helpers for the routing rules
# description: |
#   Route order as istioctl analyzes it (unreachable rules, repeated matches) and JWT claim
#   routing keys, over the admitted VirtualService.
package meshguard.lib.routes

import data.meshguard.lib

# -----------------------------------------------------------------------------------------------
# Route order (istioctl's analyzeUnreachable{HTTP,TCP,TLS}Rules)

route_sections := ["http", "tcp", "tls"]

# catch_all[section] is the index of the first rule of that section without a match, if any.
# The set is built once per section (not once per catch-all rule), so this stays linear.
catch_all[section] := min(indices) if {
	some section in route_sections
	indices := {i |
		some i, rule in object.get(lib.obj.spec, section, [])
		count(object.get(rule, "match", [])) == 0
	}
	count(indices) > 0
}

# candidates[section] lists [rule index, match index, match] for every match of that section's
# rules before the first catch-all, in route order: the matches whose repeats istioctl reports.
candidates[section] := [[i, k, m] |
	some i, rule in object.get(lib.obj.spec, section, [])
	before_catch_all(section, i)
	some k, m in object.get(rule, "match", [])
	is_object(m)
] if {
	some section in route_sections
}

# match_key(m) is what two matches are compared by: the match as written without its name (as
# istioctl compares them), as JSON.
match_key(m) := json.marshal(object.remove(m, ["name"]))

# repeating_sections holds the sections with a match that repeats another: fewer distinct keys
# than matches. Equal matches have equal uri fields, so a section whose uris all differ has no
# repeat and its whole matches are not compared (a uri hashes several times faster). Only the
# repeating sections are sorted: opa-wasm's sort is an insertion sort, quadratic on unordered
# keys.
repeating_sections contains section if {
	some section, ts in candidates
	count({object.get(t[2], "uri", null) | some t in ts}) < count(ts)
	count({match_key(t[2]) | some t in ts}) < count(ts)
}

# sorted_matches[section] lists the matches of a repeating section as [key, rule index, match
# index], sorted, so that equal matches are adjacent and the earliest comes first.
sorted_matches[section] := sort([[match_key(t[2]), t[0], t[1]] | some t in candidates[section]]) if {
	some section in repeating_sections
}

# before_catch_all(section, i) holds when rule i of the section comes before its first catch-all.
before_catch_all(section, i) if i < route_limits[section]

# route_limits[section] is the index of the section's first catch-all, else its rule count: a
# complete rule, computed once per evaluation rather than once per route.
route_limits := {section: object.get(catch_all, section, count(object.get(lib.obj.spec, section, []))) |
	some section in route_sections
}

# duplicate_matches lists {"section", "rule", "match", "first"} for each match that repeats an
# earlier match of its section; first is the rule of the earliest one.
duplicate_matches contains {"section": section, "rule": t[1], "match": t[2], "first": earliest[section][t[0]]} if {
	some section, ts in sorted_matches
	some x, t in ts
	x > 0
	ts[x - 1][0] == t[0]
}

# repeated holds [section, rule index, match index] of every match that repeats an earlier one: a
# complete rule, so that a rule asks it once per match instead of scanning duplicate_matches.
repeated := {[d.section, d.rule, d.match] | some d in duplicate_matches}

earliest[section] := {t[0]: t[1] |
	some x, t in ts
	first_of_run(ts, x)
} if {
	some section, ts in sorted_matches
}

first_of_run(_, 0)

first_of_run(ts, x) if {
	x > 0
	ts[x - 1][0] != ts[x][0]
}

# rule_name(section, i) is how istioctl names a rule: its quoted name (http only), else "#i".
rule_name(section, i) := concat("", ["\"", name, "\""]) if {
	section == "http"
	name := object.get(lib.obj.spec.http[i], "name", "")
	name != ""
} else := concat("", ["#", format_int(i, 10)])

# match_name(section, i, k) is how istioctl names a match: its quoted name (http only), else "#k".
match_name(section, i, k) := concat("", ["\"", name, "\""]) if {
	section == "http"
	name := object.get(lib.obj.spec.http[i].match[k], "name", "")
	name != ""
} else := concat("", ["#", format_int(k, 10)])

# -----------------------------------------------------------------------------------------------
# JWT claim routing (istioctl's virtualservice.JWTClaimRouteAnalyzer)

# jwt_claim_keys is the set of http match header (or withoutHeaders) names of the admitted
# VirtualService that route on a JWT claim, as Istio's jwt.ToRoutingClaim reads them:
# "@request.auth.claims.<a>[.<b>]" or "@request.auth.claims[<a>][<b>]" (prefix in any case).
jwt_claim_keys contains key if {
	some rule in object.get(lib.obj.spec, "http", [])
	some match in object.get(rule, "match", [])
	some field in ["headers", "withoutHeaders"]
	some key, _ in object.get(match, field, {})
	routing_claim(key)
}

routing_claim(key) if {
	startswith(lower(key), "@request.auth.claims")
	rest := substring(key, count("@request.auth.claims"), -1)
	startswith(rest, ".")
	count(rest) > 1
}

routing_claim(key) if {
	startswith(lower(key), "@request.auth.claims")
	rest := substring(key, count("@request.auth.claims"), -1)
	startswith(rest, "[")
	endswith(rest, "]")
	count(rest) > 2
}
