# METADATA
# title: istio.io/use-waypoint must name a waypoint that takes the traffic
# description: |
#   Ambient mode sends a service's (or a workload's) traffic through the waypoint its
#   `istio.io/use-waypoint` label names (`istio.io/use-waypoint-namespace` for another namespace;
#   `none` opts out). When no Gateway of class `istio-waypoint` has that name, or the waypoint's
#   `istio.io/waypoint-for` (on the Gateway, else its GatewayClass; default `service`) does not
#   take the traffic type (`service` for Services and ServiceEntries, `workload` for pods; `all`
#   takes both), or a waypoint of another namespace whose HBONE listener (port 15008) does not
#   admit the object's namespace (`allowedRoutes.namespaces.from` Same by default, All, or a
#   Selector; WaypointAttachmentDenied), istiod binds no waypoint (WaypointIsNotReady / WaypointUnsupportedTrafficType in
#   pilot/pkg/serviceregistry/ambient/waypoints.go) and the traffic bypasses it: the L7 policies
#   attached to the waypoint are not enforced. Checked on the label of the admitted Namespace,
#   Service, ServiceEntry, Pod or workload pod template. A Namespace's label is checked for
#   existence only: workloads inherit it only when the waypoint takes workload traffic. Inventory:
#   needs Gateway API Gateways (KubernetesGateway) of the waypoint's namespace; silent when they are
#   not known.
# custom:
#   id: amb-use-waypoint
#   api: ambient
#   severity: high
#   enforcement: deny
#   kinds: [Namespace, Service, ServiceEntry, Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
#   fix: Create the Gateway of class istio-waypoint the label names (with istio.io/waypoint-for covering this traffic), or correct the istio.io/use-waypoint label.
package meshguard.rules.amb_use_waypoint

import data.meshguard.lib
import data.meshguard.lib.ambient
import data.meshguard.lib.workloads

# What the admitted object's label binds: its metadata, the traffic type, the label's field path.
binding := {"meta": lib.obj.metadata, "traffic": "service", "field": "metadata.labels"} if {
	lib.writes
	lib.kind in {"Service", "ServiceEntry"}
} else := {"meta": lib.obj.metadata, "traffic": "namespace", "field": "metadata.labels"} if {
	lib.is_kind("Namespace")
} else := {"meta": object.get(workloads.template, "metadata", {}), "traffic": "workload", "field": workloads.field(lib.kind, "metadata.labels")} if {
	workloads.admitted
}

# The namespace a Namespace's own label resolves in is the Namespace itself.
home := lib.name if lib.kind == "Namespace"

else := lib.namespace

target := ambient.use_waypoint(binding.meta, home)

field := sprintf("%s[%s]", [binding.field, ambient.use_waypoint_key])

violation contains {
	"id": "amb-use-waypoint",
	"message": sprintf("%s %s uses waypoint %s/%s, which does not exist (no Gateway of class %s with that name), so its traffic bypasses the waypoint and the waypoint's L7 policies", [lib.kind, who, target.namespace, target.name, ambient.waypoint_class]),
	"details": {"field": field, "waypoint": sprintf("%s/%s", [target.namespace, target.name])},
} if {
	target != "none"
	missing(target)
}

# An empty istio.io/use-waypoint-namespace names no namespace, so istiod never finds the waypoint.
missing(target) if target.namespace == ""

missing(target) if {
	ambient.waypoints_known(target.namespace)
	not ambient.waypoint(target.namespace, target.name)
}

violation contains {
	"id": "amb-use-waypoint",
	"message": sprintf("%s %s uses waypoint %s/%s, which takes only %s traffic (istio.io/waypoint-for), so its %s traffic bypasses the waypoint and the waypoint's L7 policies", [lib.kind, who, target.namespace, target.name, traffic, binding.traffic]),
	"details": {"field": field, "waypoint": sprintf("%s/%s", [target.namespace, target.name]), "waypointFor": traffic, "traffic": binding.traffic},
} if {
	target != "none"
	binding.traffic != "namespace"
	gw := ambient.waypoint(target.namespace, target.name)
	traffic := ambient.traffic_type(gw)
	not ambient.takes(traffic, binding.traffic)
}

violation contains {
	"id": "amb-use-waypoint",
	"message": sprintf("%s %s uses waypoint %s/%s, whose HBONE listener does not admit namespace %s (allowedRoutes.namespaces.from: %s), so its traffic bypasses the waypoint and the waypoint's L7 policies", [lib.kind, who, target.namespace, target.name, home, ambient.allowed_from(gw)]),
	"details": {"field": field, "waypoint": sprintf("%s/%s", [target.namespace, target.name]), "from": ambient.allowed_from(gw)},
} if {
	target != "none"
	gw := ambient.waypoint(target.namespace, target.name)
	not ambient.attachable(gw, home)
}

who := lib.name if lib.kind == "Namespace"

else := sprintf("%s/%s", [lib.namespace, lib.name])
