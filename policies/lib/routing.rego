# METADATA
# title: VirtualService destination helpers for the routing rules
# description: |
#   Where the destinations of the admitted VirtualService lead, resolved as istioctl analyze does
#   (pkg/config/analysis/analyzers/util/service_lookup.go): a host names a Kubernetes Service or a
#   ServiceEntry host after short-name expansion in the VirtualService's namespace, visible first
#   to every namespace, then to the VirtualService's exportTo namespaces (its own namespace when it
#   has none), and last through a wildcard ServiceEntry host visible to every namespace or to the
#   VirtualService's namespace. A Service is visible where its networking.istio.io/exportTo
#   annotation says (everywhere without one), a ServiceEntry where its exportTo says, both as
#   data.meshguard.lib.istio.visible decides. Each distinct
#   destination host is resolved once per evaluation. A DestinationRule's host resolves the same
#   way (istioctl's destinationrule.SubsetSelectPodAnalyzer uses the same lookup).
package meshguard.lib.routing

import data.meshguard.lib
import data.meshguard.lib.istio
import data.meshguard.lib.networking
import data.meshguard.lib.workloads

# destinations lists every destination of the admitted VirtualService as {"field", "reftype",
# "destination"}: http, tcp and tls route destinations ("host") and http mirror and mirrors
# ("mirror host"), as istioctl names them in IST0101.
destinations := destinations_of(lib.obj)

# destinations_of(vs) lists every destination of VirtualService vs, as destinations does for the
# admitted one (the referential rules read the destinations of stored VirtualServices).
destinations_of(vs) := route_destinations(spec) | mirror_destinations(spec) if {
	spec := object.get(vs, "spec", {})
}

route_destinations(spec) := {{"field": field, "reftype": "host", "destination": d} |
	some section in ["http", "tcp", "tls"]
	some i, rule in object.get(spec, section, [])
	some j, r in object.get(rule, "route", [])
	d := object.get(r, "destination", {})
	field := concat("", ["spec.", section, "[", format_int(i, 10), "].route[", format_int(j, 10), "].destination"])
}

mirror_destinations(spec) := {{"field": concat("", ["spec.http[", format_int(i, 10), "].mirror"]), "reftype": "mirror host", "destination": rule.mirror} |
	some i, rule in object.get(spec, "http", [])
	is_object(rule.mirror)
} | {{"field": field, "reftype": "mirror host", "destination": d} |
	some i, rule in object.get(spec, "http", [])
	some j, m in object.get(rule, "mirrors", [])
	d := object.get(m, "destination", {})
	field := concat("", ["spec.http[", format_int(i, 10), "].mirrors[", format_int(j, 10), "].destination"])
}

# destination_list lists the same destinations as destinations, as {"section", "rule", "index",
# "reftype", "destination"} (index -1 for an http mirror): an array, cheaper to build than a set of
# objects in Wasm, whose field paths (destination_field) are written for findings only.
destination_list := array.concat(
	[{"section": section, "rule": i, "index": j, "reftype": "host", "destination": object.get(r, "destination", {})} |
		some section in ["http", "tcp", "tls"]
		some i, rule in object.get(lib.obj.spec, section, [])
		some j, r in object.get(rule, "route", [])
	],
	array.concat(
		[{"section": "http", "rule": i, "index": -1, "reftype": "mirror host", "destination": rule.mirror} |
			some i, rule in object.get(lib.obj.spec, "http", [])
			is_object(rule.mirror)
		],
		[{"section": "http", "rule": i, "index": j, "reftype": "mirror host", "destination": object.get(m, "destination", {})} |
			some i, rule in object.get(lib.obj.spec, "http", [])
			some j, m in object.get(rule, "mirrors", [])
		],
	),
)

# destination_field(x) is the field path of destination_list entry x, as destinations names it.
destination_field(x) := concat("", ["spec.", x.section, "[", format_int(x.rule, 10), "].route[", format_int(x.index, 10), "].destination"]) if {
	x.reftype == "host"
} else := concat("", ["spec.http[", format_int(x.rule, 10), "].mirror"]) if {
	x.index < 0
} else := concat("", ["spec.http[", format_int(x.rule, 10), "].mirrors[", format_int(x.index, 10), "].destination"])

# resolvable holds when the admitted object is a VirtualService or DestinationRule and the
# inventory can answer where hosts lead: it carries Services (an informer or the offline file
# set); ServiceEntries alone would make every Service look missing.
resolvable if {
	some k in {"VirtualService", "DestinationRule"}
	lib.is_kind(k)
	lib.known("Service")
}

# targets[host] is {"source", "ports", "selector"} of the Service or ServiceEntry destination host
# (as written) leads to; a host that leads nowhere has no entry. ports are the port numbers it
# exposes, selector a ServiceEntry's workloadSelector labels ({} for a Service).
targets := {host: t |
	lib.is_kind("VirtualService")
	resolvable
	some host in {object.get(x.destination, "host", "") | some x in destination_list}
	t := resolve(networking.fqdn(host, lib.namespace))
}

resolve(full) := t if {
	t := exact(full, {"*"})
} else := t if {
	t := exact(full, vs_scopes)
} else := first({e.target |
	some e in service_entries_of(lib.wildcard_hosted("ServiceEntry"))
	startswith(e.host, "*")
	istio.visible_in(e.source, {"*", lib.namespace})
	endswith(trim_prefix(full, "*"), trim_prefix(e.host, "*"))
})

# A Service wins over a ServiceEntry with the same host and scope, as in istioctl's host map.
exact(full, scopes) := t if {
	t := service_target(full, scopes)
} else := first({e.target |
	some e in service_entries_of(lib.with_host("ServiceEntry", full))
	e.host == full
	istio.visible_in(e.source, scopes)
})

# first(targets) picks one of several ServiceEntries that declare the same host (istioctl keeps
# one of them too), the first by source name so that the answer is stable; undefined when none.
first(targets) := sort(targets)[0]

# The namespaces istioctl looks a host up for: the admitted VirtualService's or DestinationRule's
# exportTo scopes, or its own namespace when it has no exportTo.
vs_scopes := istio.export_scopes(lib.obj) if {
	count(object.get(lib.obj.spec, "exportTo", [])) > 0
} else := {lib.namespace}

service_target(full, scopes) := {"source": concat("", ["Service ", parts[1], "/", parts[0]]), "ports": ports, "selector": {}} if {
	suffix := networking.cluster_suffix
	endswith(full, suffix)
	parts := split(trim_suffix(full, suffix), ".")
	count(parts) == 2
	svc := lib.inventory.Service[parts[1]][parts[0]]
	istio.visible_in(object.union(svc, {"kind": "Service", "metadata": {"namespace": parts[1]}}), scopes)
	ports := [p.port | some p in object.get(object.get(svc, "spec", {}), "ports", [])]
}

# service_entries lists every ServiceEntry host as {"host" (expanded in the ServiceEntry's
# namespace), "source" (the ServiceEntry, for istio.visible), "target"}.
service_entries := service_entries_of(lib.items("ServiceEntry"))

# service_entries_of(ses) lists the hosts of the ServiceEntries ses as service_entries does.
service_entries_of(ses) := [{"host": networking.fqdn(h, ns), "source": source, "target": target} |
	resolvable
	some se in ses
	ns := object.get(se.metadata, "namespace", "")
	spec := object.get(se, "spec", {})
	source := object.union(se, {"kind": "ServiceEntry", "metadata": {"namespace": ns}})
	target := {
		"source": concat("", ["ServiceEntry ", ns, "/", object.get(se.metadata, "name", "")]),
		"ports": [p.number | some p in object.get(spec, "ports", [])],
		"selector": object.get(object.get(spec, "workloadSelector", {}), "labels", {}),
	}
	some h in object.get(spec, "hosts", [])
]

# port_list(ports) prints port numbers as Go prints an []int: "[80 9080]".
port_list(ports) := concat("", ["[", concat(" ", [format_int(p, 10) | some p in ports]), "]"])

# -----------------------------------------------------------------------------------------------
# Gateway references

# internal_gateway(ref) holds for a reference to the Istio Gateway that Istio generates for a
# Kubernetes Gateway listener ("<gateway>~istio-autogenerated-k8s-gateway~<listener>", with or
# without "ns/"), as Istio's kube.IsInternalGatewayReference.
internal_gateway(ref) if contains(gateway_name(ref), "~istio-autogenerated-k8s-gateway~")

gateway_name(ref) := concat("/", array.slice(parts, 1, count(parts))) if {
	parts := split(ref, "/")
	count(parts) > 1
} else := ref

# gateway_ref(ref) is {"namespace", "name"} of a gateway reference of the admitted VirtualService.
gateway_ref(ref) := networking.gateway_ref(ref, lib.namespace)

# kubernetes_gateway(key) is the Kubernetes Gateway (gateway.networking.k8s.io) key names. The
# inventory keeps those under the kind KubernetesGateway (the webhook's informer, and the files
# given to `meshguard check`), apart from Istio Gateways of the same name.
kubernetes_gateway(key) := lib.inventory.KubernetesGateway[key.namespace][key.name]

# istio_gateway(key) is the Istio Gateway (networking.istio.io) key names.
istio_gateway(key) := lib.inventory.Gateway[key.namespace][key.name]

# gateway_exists(key) holds when an Istio or a Kubernetes Gateway has that namespace and name.
gateway_exists(key) if istio_gateway(key)

gateway_exists(key) if kubernetes_gateway(key)

# -----------------------------------------------------------------------------------------------
# Gateway workloads (istioctl's gateway.IngressGatewayPortAnalyzer)

# gateway_workloads lists the inventory's workloads (Pods and pod templates of every namespace)
# whose labels the admitted Gateway's selector matches; an empty selector matches every one.
gateway_workloads := [w |
	lib.is_kind("Gateway")
	some w in workloads.selected_by(object.get(lib.obj.spec, "selector", {}))
]

# gateway_service_ports is the set of ports the Services that select the Gateway's workloads make
# reachable on them, as istioctl counts them: each TCP port's numeric targetPort (else its port),
# and each TCP port number itself.
gateway_service_ports := {p |
	some w in gateway_workloads
	some svc in lib.items_in("Service", w.namespace)
	workloads.matches_labels(object.get(object.get(svc, "spec", {}), "selector", {}), w.labels)
	some port in object.get(svc.spec, "ports", [])
	upper(object.get(port, "protocol", "TCP")) == "TCP"
	some p in reachable_ports(port)
}

reachable_ports(port) := {port.port, port.targetPort} if {
	is_number(port.targetPort)
	port.targetPort != 0
} else := {port.port}

# -----------------------------------------------------------------------------------------------
# DestinationRule TLS origination (istioctl's destinationrule.CaCertificateAnalyzer)

# tls_verification_problem(tls) says why client TLS settings tls of the admitted DestinationRule
# do not verify the server as istioctl sees it: no caCertificates, and no credentialName that
# counts (sidecars read a DestinationRule's credentialName only when it has a workloadSelector).
tls_verification_problem(tls) := "neither caCertificates nor credentialName is set" if {
	object.get(tls, "caCertificates", "") == ""
	object.get(tls, "credentialName", "") == ""
} else := "caCertificates is not set and credentialName counts only with a workloadSelector" if {
	object.get(tls, "caCertificates", "") == ""
	object.get(lib.obj.spec, "workloadSelector", null) == null
}

# originates_tls(tls) holds for client TLS settings with mode SIMPLE or MUTUAL.
originates_tls(tls) if object.get(tls, "mode", "") in {"SIMPLE", "MUTUAL"}
