# METADATA
# title: AuthorizationPolicies enforced by ztunnel should not use HTTP attributes
# description: |
#   ztunnel enforces only the L4 attributes of an AuthorizationPolicy without targetRefs. istiod
#   accepts a policy with HTTP attributes anyway and enforces what is left
#   (pilot/pkg/serviceregistry/ambient/authorization.go, istio.io/latest/docs/ambient/usage/l4-policy):
#   in an ALLOW policy the rules that use HTTP attributes are dropped ("Within an ALLOW policy,
#   rules matching HTTP attributes are omitted. This will be more restrictive than requested."),
#   so the traffic they were meant to allow is refused; in a DENY policy the HTTP attributes are
#   dropped and the rest still matches ("DENY policy with HTTP attributes is enforced without the
#   HTTP rules. This will be more restrictive than requested."), so e.g. a DENY on a path of port
#   8080 refuses all of port 8080; a DENY rule left without an L4 match has no effect while the
#   policy's other rules are enforced. The HTTP attributes are istiod's list: operation hosts,
#   notHosts, methods, notMethods, paths, notPaths; source remoteIpBlocks, notRemoteIpBlocks,
#   requestPrincipals, notRequestPrincipals; `when` keys other than source.ip, source.namespace,
#   source.principal, destination.ip and destination.port. A DENY policy left with nothing to
#   enforce is amb-ap-unenforced. Applies in ambient namespaces (labelled istio.io/dataplane-mode=ambient
#   and not injecting sidecars, which win: data.meshguard.lib.ambient.ambient_namespace) to
#   policies without targetRefs whose selector does not pick waypoint pods.
# custom:
#   id: amb-ap-l7-ztunnel
#   api: ambient
#   severity: medium
#   enforcement: warn
#   kinds: [AuthorizationPolicy]
#   fix: Attach the policy to a waypoint with targetRefs, or keep only L4 attributes (principals, namespaces, ipBlocks, ports) in policies ztunnel enforces.
package meshguard.rules.amb_ap_l7_ztunnel

import data.meshguard.lib
import data.meshguard.lib.ambient

spec := object.get(lib.obj, "spec", {})

action := object.get(spec, "action", "ALLOW")

violation contains {
	"id": "amb-ap-l7-ztunnel",
	"message": sprintf("AuthorizationPolicy %s/%s: ztunnel does not support HTTP attributes (found: %s) in rules[%d]. In ambient mode you must use a waypoint proxy to enforce HTTP rules. %s", [lib.namespace, lib.name, concat(", ", found), i, consequence(action, rule)]),
	"details": {"field": sprintf("spec.rules[%d]", [i]), "httpAttributes": found, "action": action},
} if {
	lib.is_kind("AuthorizationPolicy")
	ambient.ambient_namespace(lib.namespace)
	ambient.ztunnel_policy(spec)
	action in {"ALLOW", "DENY"}
	some i, rule in object.get(spec, "rules", [])
	found := sort(ambient.l7_fields(rule))
	count(found) > 0
	not silent_deny
}

consequence("ALLOW", _) := "Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested."

consequence("DENY", rule) := "DENY policy with HTTP attributes is enforced without the HTTP rules. This will be more restrictive than requested." if {
	ambient.deny_rule_enforced(rule)
} else := "After omitting the HTTP attributes this rule matches nothing at ztunnel and will have no effect; the policy's other rules are enforced."

# A DENY policy ztunnel cannot enforce at all is amb-ap-unenforced's finding.
silent_deny if {
	action == "DENY"
	not some_rule_enforced
}

some_rule_enforced if {
	some rule in object.get(spec, "rules", [])
	ambient.deny_rule_enforced(rule)
}
