# METADATA
# title: VirtualService matches must not repeat earlier matches
# description: |
#   A match that repeats an earlier match of the same route list (compared as written, without its
#   name) never decides anything: the earlier one wins (istioctl IST0131
#   VirtualServiceIneffectiveMatch, from Istio's analyzeUnreachable{HTTP,TCP,TLS}Rules). Matches
#   after a rule without a match are vs-unreachable-rule's finding. Also reports, as Istio does, an
#   http match whose URI prefix extends the prefix of an earlier match with the same port and
#   covering method, authority, headers, query parameters and withoutHeaders (a match without a
#   method counts as GET). Needs no inventory.
# custom:
#   id: vs-ineffective-match
#   severity: low
#   enforcement: dryrun
#   fix: 'Remove the repeated match, or make it differ from the earlier one.'
#   why: 'Istio rates it Info: the match is dead configuration'
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

# An http match whose URI prefix extends the URI prefix of an earlier match, on the same port, with
# the same header, query and withoutHeaders keys, each value of the earlier match starting with the
# later one's (exact:/prefix: as written, regex as empty), and a method and authority that start
# with the later one's, is reported as istioctl's overlapping-prefix check
# (genMatchHTTPRoutes/coveredValidation) reports it. Repeated matches and matches after a rule
# without a match take no part.
violation contains {
	"id": "vs-ineffective-match",
	"message": concat("", [
		"VirtualService ", lib.namespace, "/", lib.name, " rule ", routes.rule_name("http", b.rule), " match ",
		routes.match_name("http", b.rule, b.match), " (", field, ") of prefix ", b.prefix, " is not used: match ",
		routes.match_name("http", a.rule, a.match), " of prefix ", a.prefix, " of rule ",
		routes.rule_name("http", a.rule), " covers it (IST0131)",
	]),
	"details": {"field": field, "coveredBy": match_path(a)},
} if {
	lib.is_kind("VirtualService")
	some [later, p] in shorter_prefixes
	some earlier in prefix_matches
	earlier[2] == p
	[earlier[0], earlier[1]] < [later[0], later[1]]
	a := normalized(earlier)
	b := normalized(later)
	covers(a, b)
	field := match_path(b)
}

match_path(m) := concat("", ["spec.http[", format_int(m.rule, 10), "].match[", format_int(m.match, 10), "]"])

# prefix_matches lists [rule index, match index, URI prefix] of the http matches istioctl compares
# for overlap: an array built once per request (cheaper than a set of objects in Wasm); the
# normalized form is only built for the pairs whose prefixes overlap.
prefix_matches := [[i, k, m.uri.prefix] |
	some [i, k, m] in object.get(routes.candidates, "http", [])
	is_string(object.get(object.get(m, "uri", {}), "prefix", null))
	m.uri.prefix != ""
	not routes.repeated[["http", i, k]]
]

prefixes := {t[2] | some t in prefix_matches}

# shorter_prefixes pairs each prefix match with every shorter URI prefix of another match that
# begins it: one set lookup per match and distinct prefix length, so that only the pairs that can
# overlap are compared.
shorter_prefixes := [[t, p] |
	some t in prefix_matches
	some n in prefix_lengths
	n < count(t[2])
	p := substring(t[2], 0, n)
	prefixes[p]
]

prefix_lengths := {count(t[2]) | some t in prefix_matches}

# normalized(t) is prefix match t ([rule, match, prefix]) in istioctl's normalized form.
normalized(t) := {
	"rule": t[0], "match": t[1], "prefix": t[2],
	"port": object.get(m, "port", 0),
	"method": method(m),
	"authority": exact_or_prefix(object.get(m, "authority", {})),
	"maps": [string_map(m, "headers"), string_map(m, "queryParams"), string_map(m, "withoutHeaders")],
} if {
	m := lib.obj.spec.http[t[0]].match[t[1]]
}

# istioctl treats a match without a method as GET.
method(m) := v if {
	v := exact_or_prefix(object.get(m, "method", {}))
	v != ""
} else := "exact:GET"

exact_or_prefix(sm) := concat("", ["exact:", sm.exact]) if {
	is_object(sm)
	is_string(sm.exact)
	sm.exact != ""
} else := concat("", ["prefix:", sm.prefix]) if {
	is_object(sm)
	is_string(sm.prefix)
	sm.prefix != ""
} else := ""

string_map(m, key) := {k: exact_or_prefix(v) | some k, v in object.get(m, key, {})}

covers(a, b) if {
	a.port == b.port
	starts(a.method, b.method)
	starts(a.authority, b.authority)
	every x, am in a.maps {
		bm := b.maps[x]
		count(am) == count(bm)
		every k, v in am {
			starts(v, bm[k])
		}
	}
}

starts(x, y) if startswith(x, y)
