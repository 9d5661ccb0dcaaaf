package meshguard.rules.vs_fault_injection_test

import data.meshguard.rules.vs_fault_injection

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "VirtualService",
		"metadata": {"name": "my-app", "namespace": "prod"},
		"spec": spec,
	},
}}

delete(spec) := object.union(review(spec), {"request": {"operation": "DELETE"}})

other_kind(spec) := object.union(review(spec), {"request": {"kind": {"kind": "DestinationRule"}}})

fault_spec(fault) := {"hosts": ["my-app"], "http": [{"fault": fault, "route": [{"destination": {"host": "my-app"}}]}]}

allow_prod := {"rules": {"vs-fault-injection": {"params": {"faultInjectionNamespaces": ["prod"]}}}}

test_fault_outside_allowed_namespaces_is_denied if {
	vs_fault_injection.violation == {{
		"id": "vs-fault-injection",
		"message": "VirtualService prod/my-app injects faults (spec.http[0].fault) in namespace prod, which does not allow fault injection",
		"details": {
			"field": "spec.http[0].fault", "namespace": "prod",
			"fix": "Label namespace prod meshguard.io/allow-fault-injection: \"true\" or list it in the param faultInjectionNamespaces, or remove the fault.",
		},
	}} with input as review(fault_spec({"delay": {"percentage": {"value": 10}, "fixedDelay": "5s"}}))
}

test_namespace_label_allows if {
	count(vs_fault_injection.violation) == 0 with input as review(fault_spec({"delay": {"percentage": {"value": 10}, "fixedDelay": "5s"}}))
		with data.meshguard.inventory as {"Namespace": {"": {"prod": {"metadata": {"name": "prod", "labels": {"meshguard.io/allow-fault-injection": "true"}}}}}}
}

test_param_allows_within_caps if {
	count(vs_fault_injection.violation) == 0 with input as review(fault_spec({"delay": {"percentage": {"value": 50}, "fixedDelay": "10s"}, "abort": {"percentage": {"value": 12.5}, "httpStatus": 503}}))
		with data.meshguard.config as allow_prod
}

test_caps_are_enforced_in_allowed_namespaces if {
	vs_fault_injection.violation == {
		{
			"id": "vs-fault-injection",
			"message": "VirtualService prod/my-app injects a delay into 60.5% of requests (spec.http[0].fault.delay), above the cap of 50%",
			"details": {"field": "spec.http[0].fault.delay.percentage", "percentage": 60.5, "max": 50},
		},
		{
			"id": "vs-fault-injection",
			"message": "VirtualService prod/my-app injects a delay of 1m (spec.http[0].fault.delay.fixedDelay), above the cap of 10s",
			"details": {"field": "spec.http[0].fault.delay.fixedDelay", "delay": "1m", "max": "10s"},
		},
		{
			"id": "vs-fault-injection",
			"message": "VirtualService prod/my-app injects a abort into 100% of requests (spec.http[0].fault.abort), above the cap of 50%",
			"details": {"field": "spec.http[0].fault.abort.percentage", "percentage": 100, "max": 50},
		},
	} with input as review(fault_spec({"delay": {"percentage": {"value": 60.5}, "fixedDelay": "1m"}, "abort": {"httpStatus": 500}}))
		with data.meshguard.config as allow_prod
}

test_legacy_percent_is_read if {
	count(vs_fault_injection.violation) == 1 with input as review(fault_spec({"delay": {"percent": 80, "fixedDelay": "1s"}}))
		with data.meshguard.config as allow_prod
}

test_no_fault_is_allowed if {
	count(vs_fault_injection.violation) == 0 with input as review({"hosts": ["my-app"], "http": [{"route": [{"destination": {"host": "my-app"}}]}]})
}

test_delete_is_ignored if {
	count(vs_fault_injection.violation) == 0 with input as delete(fault_spec({"abort": {"httpStatus": 500}}))
}
