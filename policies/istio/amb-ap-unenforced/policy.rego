# METADATA
# title: AuthorizationPolicies in ambient namespaces must be enforced by someone
# description: |
#   In ambient mode ztunnel enforces AuthorizationPolicies without targetRefs, and only their L4
#   attributes; waypoints enforce the policies attached to them by targetRefs. Two combinations
#   protect nothing and are accepted without a word at admission:
#   (1) A DENY policy enforced by ztunnel whose rules all depend on HTTP attributes. istiod omits
#   the attributes ztunnel does not support (operation hosts, notHosts, methods, notMethods, paths,
#   notPaths; source remoteIpBlocks, notRemoteIpBlocks, requestPrincipals, notRequestPrincipals;
#   every `when` key other than source.ip, source.namespace, source.principal, destination.ip and
#   destination.port, e.g. request.headers[...] and request.auth.claims[...]); a clause left
#   without an L4 field matches nothing, so the rule never fires: "After omitting unsupported HTTP
#   attributes, this DENY policy has no enforceable rules at ztunnel and will have no effect.
#   Deploy a waypoint proxy and use a targetRef to enforce this policy." (istiod,
#   pilot/pkg/serviceregistry/ambient/authorization.go; istio.io/latest/docs/ambient/usage/l4-policy
#   and l7-features: ztunnel cannot enforce L7 attributes, use a waypoint; istio/istio#61126).
#   (2) A policy (any action) whose targetRefs name a Service or ServiceEntry that no waypoint
#   serves (no istio.io/use-waypoint on it or its namespace naming a Gateway of class
#   istio-waypoint that takes service traffic): ztunnel ignores targetRef policies and no waypoint
#   receives it.
#   ALLOW policies and DENY policies that keep an L4 match are more restrictive than written, not
#   silent; amb-ap-l7-ztunnel reports them. Applies in namespaces labelled
#   istio.io/dataplane-mode=ambient and not injecting sidecars (sidecars win and enforce HTTP
#   attributes themselves); policies whose selector picks waypoint pods
#   (gateway.networking.k8s.io/gateway-name) are enforced by the waypoint and skipped.
# custom:
#   id: amb-ap-unenforced
#   api: ambient
#   severity: high
#   enforcement: deny
#   kinds: [AuthorizationPolicy]
#   fix: Deploy a waypoint (Gateway of class istio-waypoint), bind the service to it with istio.io/use-waypoint, and attach the policy to it with targetRefs.
package meshguard.rules.amb_ap_unenforced

import data.meshguard.lib
import data.meshguard.lib.ambient

spec := object.get(lib.obj, "spec", {})

ambient_policy if {
	lib.is_kind("AuthorizationPolicy")
	ambient.ambient_namespace(lib.namespace)
}

rules := object.get(spec, "rules", [])

http_fields := {f | some rule in rules; some f in ambient.l7_fields(rule)}

violation contains {
	"id": "amb-ap-unenforced",
	"message": sprintf("AuthorizationPolicy %s/%s: ztunnel does not support HTTP attributes (found: %s). In ambient mode you must use a waypoint proxy to enforce HTTP rules. After omitting unsupported HTTP attributes, this DENY policy has no enforceable rules at ztunnel and will have no effect.", [lib.namespace, lib.name, concat(", ", sort(http_fields))]),
	"details": {"field": "spec.rules", "httpAttributes": sort(http_fields), "action": "DENY"},
} if {
	ambient_policy
	spec.action == "DENY"
	ambient.ztunnel_policy(spec)
	count(http_fields) > 0
	not any_rule_enforced
}

any_rule_enforced if {
	some rule in rules
	ambient.deny_rule_enforced(rule)
}

violation contains {
	"id": "amb-ap-unenforced",
	"message": sprintf("AuthorizationPolicy %s/%s targets %s %s/%s, which no waypoint serves (no istio.io/use-waypoint on it or its namespace naming a Gateway of class %s that takes service traffic); ztunnel ignores policies with targetRefs, so nothing enforces this %s policy", [lib.namespace, lib.name, t.ref.kind, lib.namespace, t.ref.name, ambient.waypoint_class, object.get(spec, "action", "ALLOW")]),
	"details": {"field": t.field, "kind": t.ref.kind, "name": t.ref.name},
} if {
	ambient_policy
	some t in ambient.target_refs(spec)
	t.ref.kind in {"Service", "ServiceEntry"}
	some target in lib.items_in(t.ref.kind, lib.namespace)
	target.metadata.name == t.ref.name
	ambient.waypoints_known(lib.namespace)
	not ambient.serving_waypoint(target.metadata, lib.namespace, "service")
}
