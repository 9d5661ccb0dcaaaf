package meshguard.rules.pa_strict_mtls_test

import data.meshguard.rules.pa_strict_mtls

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "security.istio.io", "version": "v1", "kind": "PeerAuthentication"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "security.istio.io/v1",
		"kind": "PeerAuthentication",
		"metadata": {"name": "default", "namespace": "prod"},
		"spec": spec,
	},
}}

test_strict_is_allowed if {
	count(pa_strict_mtls.violation) == 0 with input as review({"mtls": {"mode": "STRICT"}})
}

test_no_mode_is_allowed if {
	count(pa_strict_mtls.violation) == 0 with input as review({})
}

test_permissive_is_denied if {
	pa_strict_mtls.violation == {{
		"id": "pa-strict-mtls",
		"message": "PeerAuthentication prod/default sets mtls.mode PERMISSIVE; only STRICT or UNSET is allowed",
		"details": {"field": "spec.mtls.mode", "mode": "PERMISSIVE"},
	}} with input as review({"mtls": {"mode": "PERMISSIVE"}})
}

test_port_level_override_is_denied if {
	pa_strict_mtls.violation == {{
		"id": "pa-strict-mtls",
		"message": "PeerAuthentication prod/default sets mtls.mode DISABLE on port 8080; only STRICT or UNSET is allowed",
		"details": {"field": "spec.portLevelMtls[8080].mode", "mode": "DISABLE", "port": "8080"},
	}} with input as review({"mtls": {"mode": "STRICT"}, "portLevelMtls": {"8080": {"mode": "DISABLE"}}})
}

test_delete_is_ignored if {
	count(pa_strict_mtls.violation) == 0 with input as {"request": {
		"kind": {"kind": "PeerAuthentication"},
		"operation": "DELETE",
		"namespace": "prod",
		"object": null,
		"oldObject": {"metadata": {"name": "x"}, "spec": {"mtls": {"mode": "DISABLE"}}},
	}}
}

test_allowed_namespace_param if {
	count(pa_strict_mtls.violation) == 0 with input as review({"mtls": {"mode": "PERMISSIVE"}, "portLevelMtls": {"8080": {"mode": "DISABLE"}}})
		with data.meshguard.config as {"rules": {"pa-strict-mtls": {"params": {"allowedNamespaces": ["prod"]}}}}
}

test_other_namespace_param_does_not_apply if {
	pa_strict_mtls.violation == {{
		"id": "pa-strict-mtls",
		"message": "PeerAuthentication prod/default sets mtls.mode DISABLE; only STRICT or UNSET is allowed",
		"details": {"field": "spec.mtls.mode", "mode": "DISABLE"},
	}} with input as review({"mtls": {"mode": "DISABLE"}})
		with data.meshguard.config as {"rules": {"pa-strict-mtls": {"params": {"allowedNamespaces": ["legacy"]}}}}
}

test_port_level_strict_is_allowed if {
	count(pa_strict_mtls.violation) == 0 with input as review({"mtls": {"mode": "STRICT"}, "portLevelMtls": {"8080": {"mode": "STRICT"}, "9090": {"mode": "UNSET"}}})
}

test_other_kind_is_ignored if {
	count(pa_strict_mtls.violation) == 0 with input as {"request": {
		"kind": {"kind": "DestinationRule"},
		"operation": "CREATE",
		"namespace": "prod",
		"object": {"metadata": {"name": "x"}, "spec": {"mtls": {"mode": "DISABLE"}}},
	}}
}
