# METADATA
# title: Ambient mode in the mesh model
# description: |
#   Ambient facts as istiod computes them (pilot/pkg/serviceregistry/ambient/waypoints.go and
#   authorization.go): which waypoint an object uses (`istio.io/use-waypoint` on the object, else on
#   its namespace; the value `none` opts out; `istio.io/use-waypoint-namespace` names another
#   namespace), what traffic a waypoint takes (`istio.io/waypoint-for` on the Gateway, else on its
#   GatewayClass, else `service`), and which AuthorizationPolicy attributes ztunnel cannot enforce.
#   Waypoints are Gateway API Gateways of class `istio-waypoint` (inventory kind KubernetesGateway).
package meshguard.lib.ambient

import data.meshguard.lib
import data.meshguard.lib.istio

use_waypoint_key := "istio.io/use-waypoint"

use_waypoint_namespace_key := "istio.io/use-waypoint-namespace"

waypoint_for_key := "istio.io/waypoint-for"

# The GatewayClass Istio deploys waypoints for.
waypoint_class := "istio-waypoint"

# ambient_namespace(ns) holds when a pod of namespace ns that sets nothing itself runs in ambient
# mode (data.meshguard.lib.istio.dataplane): the namespace is labelled
# istio.io/dataplane-mode=ambient and does not also inject sidecars, which win. The label is
# read first: without it the injection webhooks need not be consulted.
ambient_namespace(ns) if {
	lib.namespace_labels(ns)[istio.dataplane_key] == "ambient"
	istio.dataplane({"metadata": {}, "spec": {}}, ns) == "ambient"
}

# use_waypoint(meta, ns) is the waypoint object metadata meta (in namespace ns) names with its own
# labels: {"name", "namespace"}, or "none" for the opt-out. Undefined without the label.
use_waypoint(meta, ns) := "none" if {
	istio.labels_of({"metadata": meta})[use_waypoint_key] == "none"
} else := {"name": name, "namespace": object.get(labels, use_waypoint_namespace_key, ns)} if {
	labels := istio.labels_of({"metadata": meta})
	name := labels[use_waypoint_key]
}

# effective_waypoint(meta, ns) is the waypoint traffic of an object in ns goes through: its own
# use-waypoint label, else its namespace's. Undefined when neither names one, or on opt-out.
effective_waypoint(meta, ns) := w if {
	w := use_waypoint(meta, ns)
	w != "none"
} else := w if {
	not use_waypoint(meta, ns)
	w := use_waypoint({"labels": lib.namespace_labels(ns)}, ns)
	w != "none"
}

# waypoint(ns, name) is the Gateway of class istio-waypoint named name in namespace ns.
waypoint(ns, name) := gw if {
	some gw in lib.items_in("KubernetesGateway", ns)
	gw.metadata.name == name
	gw.spec.gatewayClassName == waypoint_class
}

# waypoints_known(ns) holds when the inventory can tell that a waypoint is absent from namespace ns.
waypoints_known(ns) if {
	lib.known("KubernetesGateway")
	lib.covers(ns, ["KubernetesGateway"])
}

# traffic_type(gw) is what the waypoint gw takes: its istio.io/waypoint-for label, else its
# GatewayClass's, else "service" (Istio's default).
traffic_type(gw) := gw.metadata.labels[waypoint_for_key] if {
	_ = gw.metadata.labels[waypoint_for_key]
} else := class.metadata.labels[waypoint_for_key] if {
	some class in lib.items_in("GatewayClass", "")
	class.metadata.name == gw.spec.gatewayClassName
	_ = class.metadata.labels[waypoint_for_key]
} else := "service"

# takes(traffic_type, wanted) holds when a waypoint of traffic_type takes "service" or "workload"
# traffic.
takes(t, t)

takes("all", _)

# -----------------------------------------------------------------------------------------------
# What ztunnel enforces of an AuthorizationPolicy (convertAuthorizationPolicy / handleRule)

# Operation and source fields ztunnel does not support.
l7_operation_fields := ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"]

l7_source_fields := ["remoteIpBlocks", "notRemoteIpBlocks", "requestPrincipals", "notRequestPrincipals"]

# `when` keys ztunnel enforces; every other key (request.headers[...], request.auth.claims[...],
# ...) is an HTTP attribute.
l4_when_keys := {"source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"}

# l7_fields(rule) is the sorted set of HTTP attribute names one rule uses, as istiod lists them.
l7_fields(rule) := ({f |
	some to in object.get(rule, "to", [])
	some f in l7_operation_fields
	count(object.get(object.get(to, "operation", {}), f, [])) > 0
} | {f |
	some from in object.get(rule, "from", [])
	some f in l7_source_fields
	count(object.get(object.get(from, "source", {}), f, [])) > 0
}) | {w.key |
	some w in object.get(rule, "when", [])
	not w.key in l4_when_keys
}

# deny_rule_enforced(rule) holds when ztunnel still matches something of a DENY rule once the HTTP
# attributes are omitted: each clause (the `to` list, the `from` list, each `when`) keeps an L4
# field in at least one of its entries. A rule without clauses matches everything.
deny_rule_enforced(rule) if {
	to_kept(object.get(rule, "to", []))
	from_kept(object.get(rule, "from", []))
	every w in object.get(rule, "when", []) {
		w.key in l4_when_keys
	}
}

to_kept(tos) if count(tos) == 0

to_kept(tos) if {
	some to in tos
	l4_operation(object.get(to, "operation", {}))
}

from_kept(froms) if count(froms) == 0

from_kept(froms) if {
	some from in froms
	l4_source(object.get(from, "source", {}))
}

# Only one entry of a clause list has to keep an L4 field for the clause to match.
l4_operation(op) if {
	some f in ["ports", "notPorts"]
	count(object.get(op, f, [])) > 0
}

l4_source(src) if {
	some f in ["ipBlocks", "notIpBlocks", "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts", "principals", "notPrincipals"]
	count(object.get(src, f, [])) > 0
}

# serving_waypoint(meta, ns, traffic) is the waypoint Gateway that takes the traffic ("service" or
# "workload") of an object with metadata meta in namespace ns and admits its namespace. Undefined
# when none does.
serving_waypoint(meta, ns, traffic) := gw if {
	w := effective_waypoint(meta, ns)
	gw := waypoint(w.namespace, w.name)
	takes(traffic_type(gw), traffic)
	attachable(gw, ns)
}

# -----------------------------------------------------------------------------------------------
# Policy attachment (targetRef / targetRefs of AuthorizationPolicy, RequestAuthentication,
# Telemetry, WasmPlugin)

# target_refs(spec) lists the policy's targets with their field paths: [{"ref", "field"}].
target_refs(spec) := [{"ref": spec.targetRef, "field": "spec.targetRef"}] if {
	is_object(spec.targetRef)
} else := [{"ref": r, "field": sprintf("spec.targetRefs[%d]", [i])} | some i, r in object.get(spec, "targetRefs", [])]

# ztunnel_policy(spec) holds when ztunnel enforces the AuthorizationPolicy with this spec: it has no
# targetRef(s) (istiod hands those to waypoints only) and its selector does not pick waypoint pods.
ztunnel_policy(spec) if {
	count(target_refs(spec)) == 0
	not selects_waypoint_pods(object.get(spec, "selector", {}))
}

selects_waypoint_pods(selector) if {
	some k in ["gateway.networking.k8s.io/gateway-name", "istio.io/gateway-name"]
	_ = object.get(selector, "matchLabels", {})[k]
}

# attachable(gw, ns) holds when objects of namespace ns may bind to waypoint gw: same namespace, or
# its HBONE listener (port 15008) admits ns by allowedRoutes.namespaces (from All, or Selector
# matching the namespace's labels), as istiod's AllowsAttachmentFromNamespace decides.
attachable(gw, ns) if gw.metadata.namespace == ns

attachable(gw, ns) if {
	gw.metadata.namespace != ns
	l := hbone_listener(gw)
	object.get(l, ["allowedRoutes", "namespaces", "from"], "Same") == "All"
}

attachable(gw, ns) if {
	gw.metadata.namespace != ns
	l := hbone_listener(gw)
	object.get(l, ["allowedRoutes", "namespaces", "from"], "Same") == "Selector"
	istio.selects(object.get(l, ["allowedRoutes", "namespaces", "selector"], {}), lib.namespace_labels(ns))
}

# allowed_from(gw) is what the waypoint's HBONE listener says about other namespaces.
allowed_from(gw) := object.get(hbone_listener(gw), ["allowedRoutes", "namespaces", "from"], "Same") if {
	hbone_listener(gw)
} else := "Same"

hbone_listener(gw) := l if {
	some l in object.get(gw.spec, "listeners", [])
	l.protocol == "HBONE"
	l.port == 15008
}
