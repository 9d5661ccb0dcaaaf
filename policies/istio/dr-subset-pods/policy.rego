# METADATA
# title: DestinationRule subsets must select workloads
# description: |
#   A subset whose labels (merged with the workloadSelector of the ServiceEntry its host resolves
#   to) match no workload has no endpoints: requests routed to it fail with 503 UH
#   (NoHealthyUpstream) (istioctl IST0173 DestinationRuleSubsetNotSelectPods,
#   destinationrule.SubsetSelectPodAnalyzer). As istioctl, workloads of every namespace count;
#   meshguard matches Pods and the pod templates of Deployments, StatefulSets, DaemonSets and
#   ReplicaSets (the webhook watches the workload kinds, not Pods), without the topology labels
#   Istio adds to Pods from their Node. DestinationRules whose host resolves nowhere are
#   dr-host-exists' finding. Inventory: needs Service and a workload kind holding at least one
#   workload; otherwise silent. Reported only when the inventory covers the namespace of the host
#   (of a cluster-local service host, else the DestinationRule's): the Namespace is known, or a
#   workload of that namespace was given; always in a cluster, offline only where files speak.
# custom:
#   id: dr-subset-pods
#   severity: high
#   enforcement: warn
#   fix: 'Correct the subset labels to match the pods of the host, or deploy the version the subset names before routing to it.'
#   why: 'requests fail only once routed to the subset, which is often defined before its pods'
#   kinds: [DestinationRule]
#   istioCode: IST0173
package meshguard.rules.dr_subset_pods

import data.meshguard.lib
import data.meshguard.lib.istio
import data.meshguard.lib.networking
import data.meshguard.lib.routing
import data.meshguard.lib.workloads

violation contains {
	"id": "dr-subset-pods",
	"message": concat("", [
		"DestinationRule ", lib.namespace, "/", lib.name, " subset ", name, " (spec.subsets[", format_int(i, 10),
		"]) selects no workload: nothing has the labels ", json.marshal(selector), " (IST0173)",
	]),
	"details": {"field": concat("", ["spec.subsets[", format_int(i, 10), "]"]), "subset": name, "labels": selector},
} if {
	lib.is_kind("DestinationRule")
	routing.resolvable
	workloads.selectable_known
	workloads.any_workload
	workloads.covers(judged_namespace)
	target := routing.resolve(networking.fqdn(object.get(lib.obj.spec, "host", ""), lib.namespace))
	some i, subset in object.get(lib.obj.spec, "subsets", [])
	name := object.get(subset, "name", "")
	selector := object.union(target.selector, object.get(subset, "labels", {}))
	not selects_one(selector)
}

# judged_namespace is the namespace of a cluster-local service host, else the DestinationRule's.
judged_namespace := ns if {
	ns := istio.host_namespace(object.get(lib.obj.spec, "host", ""), lib.namespace)
} else := lib.namespace

selects_one(selector) if workloads.selects_any(selector)
