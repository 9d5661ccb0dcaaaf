# METADATA
# title: Policies attached to a waypoint need traffic that goes through it
# description: |
#   A waypoint only sees the traffic of the namespaces, services and workloads bound to it with
#   `istio.io/use-waypoint` (`istio.io/use-waypoint-namespace` for a waypoint in another namespace).
#   An AuthorizationPolicy attached by targetRefs to a Gateway of class istio-waypoint that nothing
#   binds is accepted and enforced on no request: traffic goes from ztunnel to ztunnel
#   (istio/istio.io#17520). Reported when the inventory knows the Namespaces, Services and
#   workloads and none of them (own label or namespace label) names the waypoint.
# custom:
#   id: amb-waypoint-unbound
#   api: ambient
#   severity: medium
#   enforcement: warn
#   kinds: [AuthorizationPolicy]
#   fix: Label the namespace (or the services) with istio.io/use-waypoint naming this waypoint, or attach the policy to a waypoint that is in use.
package meshguard.rules.amb_waypoint_unbound

import data.meshguard.lib
import data.meshguard.lib.ambient
import data.meshguard.lib.workloads

violation contains {
	"id": "amb-waypoint-unbound",
	"message": sprintf("AuthorizationPolicy %s/%s is attached to waypoint %s/%s (%s), but no namespace, service or workload uses that waypoint (istio.io/use-waypoint), so no traffic reaches the policy", [lib.namespace, lib.name, lib.namespace, t.ref.name, t.field]),
	"details": {"field": t.field, "waypoint": sprintf("%s/%s", [lib.namespace, t.ref.name])},
} if {
	lib.is_kind("AuthorizationPolicy")
	lib.known("Namespace")
	lib.known("Service")
	some t in ambient.target_refs(object.get(lib.obj, "spec", {}))
	t.ref.kind == "Gateway"
	ambient.waypoint(lib.namespace, t.ref.name)
	not bound(lib.namespace, t.ref.name)
}

# The metadata of every object whose own label may bind a waypoint.
binders contains meta if {
	some k in ["Service", "ServiceEntry"]
	some o in lib.items(k)
	meta := o.metadata
}

binders contains meta if {
	some w in workloads.all_workloads
	meta := {"namespace": w.namespace, "labels": w.labels}
}

bound(ns, name) if {
	some o in lib.items("Namespace")
	ambient.use_waypoint(o.metadata, o.metadata.name) == {"name": name, "namespace": ns}
}

bound(ns, name) if {
	some meta in binders
	ambient.use_waypoint(meta, object.get(meta, "namespace", "")) == {"name": name, "namespace": ns}
}
