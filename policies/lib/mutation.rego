# METADATA
# title: What meshguard's mutating webhook will change
# description: |
#   The validating rules must not report what the mutating webhook fixes for the object's Pods
#   (the two webhooks agree). These helpers read the org config's mutation section, the same
#   document the mutators are configured from (data.meshguard.config.mutation, validated at load),
#   and the mesh model's injection decision, which is the one the sidecar-resources mutator uses.
package meshguard.lib.mutation

import data.meshguard.lib
import data.meshguard.lib.istio

# setting(path, default_value) reads data.meshguard.config.mutation at path (a list of keys).
setting(path, default_value) := object.get(object.get(lib.config, "mutation", {}), path, default_value)

# sidecar_sized(t) holds when the sidecar-resources mutator writes all four
# sidecar.istio.io/proxy* annotations on the Pods of pod template t of the admitted object: the
# mutator is on (mutation.sidecar.enabled) and Istio injects those Pods. A Pod is sized when it
# is created; the Pods of a workload are all created later, so a workload's template always counts.
sidecar_sized(t) if {
	setting(["sidecar", "enabled"], false) == true
	pods_created
	istio.injected(t, lib.namespace)
}

# sidecar_enforced(t) holds when, on top of sidecar_sized(t), the mutator replaces user-set values
# with the computed ones (mutation.sidecar.enforceComputed), which lie within the org bounds.
sidecar_enforced(t) if {
	sidecar_sized(t)
	setting(["sidecar", "enforceComputed"], false) == true
}

pods_created if lib.kind != "Pod"

pods_created if input.request.operation == "CREATE"
