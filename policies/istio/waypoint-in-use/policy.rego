# METADATA
# title: Waypoints in use must not be deleted
# description: |
#   Deleting a waypoint (a Kubernetes Gateway of class istio-waypoint) while Namespaces,
#   Services, ServiceEntries or Pods still use it through the `istio.io/use-waypoint` label (with
#   `istio.io/use-waypoint-namespace` for a waypoint in another namespace) leaves their traffic
#   without the L7 policy the waypoint enforces: ztunnel finds no waypoint for them. The finding
#   names the users and their labels. Inventory: the labels of Namespaces, Services,
#   ServiceEntries and Pods the inventory carries.
# custom:
#   id: waypoint-in-use
#   severity: medium
#   enforcement: warn
#   kinds: [KubernetesGateway]
#   operations: [DELETE]
#   fix: Relabel the objects listed with another waypoint (or istio.io/use-waypoint=none) first, or keep the waypoint.
package meshguard.rules.waypoint_in_use

import data.meshguard.lib
import data.meshguard.lib.references

use_label := "istio.io/use-waypoint"

field := concat("", ["metadata.labels['", use_label, "']"])

violation contains references.finding(
	"waypoint-in-use", "",
	concat("", ["waypoint ", lib.namespace, "/", lib.name]),
	"metadata.name", {"waypoint": concat("/", [lib.namespace, lib.name])},
	refs,
) if {
	lib.operation == "DELETE"
	lib.changes("KubernetesGateway")
	object.get(lib.old_obj.spec, "gatewayClassName", "") == "istio-waypoint"
	refs := {references.referrer(o, field) |
		some k in ["Namespace", "Service", "ServiceEntry", "Pod"]
		lib.known(k)
		some o in lib.items(k)
		uses_this(o, k)
	}
	count(refs) > 0
}

# uses_this(o, k) holds when object o of kind k names the deleted waypoint in its labels.
uses_this(o, k) if {
	labels := object.get(o.metadata, "labels", {})
	labels[use_label] == lib.name
	object.get(labels, "istio.io/use-waypoint-namespace", home(o, k)) == lib.namespace
}

# The namespace a waypoint name without istio.io/use-waypoint-namespace is looked up in.
home(o, "Namespace") := object.get(o.metadata, "name", "")

home(o, k) := object.get(o.metadata, "namespace", "") if k != "Namespace"
