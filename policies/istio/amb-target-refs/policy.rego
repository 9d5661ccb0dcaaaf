# METADATA
# title: Policy targetRefs must resolve and must not be combined with a selector
# description: |
#   AuthorizationPolicy, RequestAuthentication, Telemetry and WasmPlugin attach to a waypoint or a
#   gateway through `targetRef`/`targetRefs`. As Istio documents (and istiod validates,
#   pkg/config/validation validatePolicyTargetReference / validateOneOfSelectorType): a target is
#   a Gateway (group gateway.networking.k8s.io) in the same namespace, a GatewayClass (same group)
#   from the root namespace only, a Service (group "" or core; waypoints only) or a ServiceEntry
#   (group networking.istio.io) in the same namespace; `namespace` must not be set; a policy has
#   either a selector or targets, never both. A target that names no existing object attaches the
#   policy to nothing, so a DENY protects nothing and an ALLOW restricts nothing. Existence is
#   checked against the inventory (Gateway API Gateways are the inventory kind KubernetesGateway);
#   silent for kinds it does not carry.
# custom:
#   id: amb-target-refs
#   api: ambient
#   severity: high
#   enforcement: deny
#   kinds: [AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin]
#   fix: Point targetRefs at an existing Gateway, Service or ServiceEntry of the policy's namespace (or a GatewayClass from the root namespace) and remove the selector.
package meshguard.rules.amb_target_refs

import data.meshguard.lib
import data.meshguard.lib.ambient

policy_kinds := {"AuthorizationPolicy", "RequestAuthentication", "Telemetry", "WasmPlugin"}

admitted if {
	lib.writes
	lib.kind in policy_kinds
}

spec := object.get(lib.obj, "spec", {})

targets := ambient.target_refs(spec)

gwapi := "gateway.networking.k8s.io"

# Supported targets: the inventory kind that holds them, keyed by kind and canonical group.
supported := {
	["Gateway", gwapi]: "KubernetesGateway",
	["GatewayClass", gwapi]: "GatewayClass",
	["Service", "core"]: "Service",
	["ServiceEntry", "networking.istio.io"]: "ServiceEntry",
}

canonical_group(ref) := g if {
	g := object.get(ref, "group", "")
	g != ""
} else := "core"

violation contains {
	"id": "amb-target-refs",
	"message": sprintf("%s %s/%s sets both a selector and %s; Istio accepts only one of them", [lib.kind, lib.namespace, lib.name, targets[0].field]),
	"details": {"field": "spec.selector"},
} if {
	admitted
	is_object(spec.selector)
	count(targets) > 0
}

violation contains {
	"id": "amb-target-refs",
	"message": sprintf("%s %s/%s: %s names %s/%s, which is not a supported target (Gateway or GatewayClass of %s, Service, ServiceEntry of networking.istio.io)", [lib.kind, lib.namespace, lib.name, t.field, object.get(t.ref, "group", ""), object.get(t.ref, "kind", ""), gwapi]),
	"details": {"field": t.field, "kind": object.get(t.ref, "kind", ""), "group": object.get(t.ref, "group", "")},
} if {
	admitted
	some t in targets
	not supported[[object.get(t.ref, "kind", ""), canonical_group(t.ref)]]
}

violation contains {
	"id": "amb-target-refs",
	"message": sprintf("%s %s/%s: %s sets namespace %s; targets must be in the policy's own namespace", [lib.kind, lib.namespace, lib.name, t.field, t.ref.namespace]),
	"details": {"field": sprintf("%s.namespace", [t.field])},
} if {
	admitted
	some t in targets
	object.get(t.ref, "namespace", "") != ""
}

violation contains {
	"id": "amb-target-refs",
	"message": sprintf("%s %s/%s: %s names GatewayClass %s, which Istio honours only from the root namespace %s", [lib.kind, lib.namespace, lib.name, t.field, t.ref.name, root]),
	"details": {"field": t.field, "kind": "GatewayClass", "name": t.ref.name},
} if {
	admitted
	some t in targets
	t.ref.kind == "GatewayClass"
	root := lib.mesh("rootNamespace", "istio-system")
	lib.namespace != root
}

violation contains {
	"id": "amb-target-refs",
	"message": sprintf("%s %s/%s: %s names %s %s, which does not exist, so the policy applies to nothing", [lib.kind, lib.namespace, lib.name, t.field, t.ref.kind, shown]),
	"details": {"field": t.field, "kind": t.ref.kind, "name": t.ref.name},
} if {
	admitted
	some t in targets
	inventory_kind := supported[[t.ref.kind, canonical_group(t.ref)]]
	scope := scope_of(inventory_kind)
	lib.known(inventory_kind)
	covered(inventory_kind, scope)
	not exists(inventory_kind, scope, t.ref.name)
	shown := shown_name(scope, t.ref.name)
}

scope_of("GatewayClass") := ""

scope_of(k) := lib.namespace if k != "GatewayClass"

covered("GatewayClass", _)

covered(k, ns) if {
	k != "GatewayClass"
	lib.covers(ns, [k])
}

exists(k, ns, name) if {
	some o in lib.items_in(k, ns)
	o.metadata.name == name
}

shown_name("", name) := name

shown_name(ns, name) := sprintf("%s/%s", [ns, name]) if ns != ""
