# METADATA
# title: Telemetry access logging needs a provider
# description: |
#   An `accessLogging` entry without providers falls back to the mesh config's
#   `defaultProviders.accessLogging`; when the mesh has none, the entry is ignored and nothing is
#   logged (istioctl IST0157 InvalidTelemetryProvider). Same condition as istioctl: the mesh
#   config has no default access-logging provider, and an entry that is not `disabled: true` has no
#   providers. Depends on the mesh config (mesh fact `defaultProviders`); needs no inventory.
# custom:
#   id: tm-empty-providers
#   severity: medium
#   enforcement: warn
#   fix: 'Name a provider in accessLogging[].providers, or set defaultProviders.accessLogging in the mesh config.'
#   why: 'nothing is logged, nothing breaks'
#   kinds: [Telemetry]
#   istioCode: IST0157
package meshguard.rules.tm_empty_providers

import data.meshguard.lib

violation contains {
	"id": "tm-empty-providers",
	"message": sprintf("Telemetry %s/%s: accessLogging[%d] has empty providers and will be ignored, as the mesh config has no default access-logging provider", [lib.namespace, lib.name, i]),
	"details": {"field": sprintf("spec.accessLogging[%d].providers", [i])},
} if {
	lib.is_kind("Telemetry")
	no_default_access_logging
	some i, entry in object.get(lib.obj.spec, "accessLogging", [])
	object.get(entry, "disabled", false) != true
	count(object.get(entry, "providers", [])) == 0
}

# The mesh config names no default access-logging provider (defaultProviders.accessLogging).
no_default_access_logging if count(object.get(lib.mesh("defaultProviders", {}), "accessLogging", [])) == 0
