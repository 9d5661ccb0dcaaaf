{{/*
Chart name, truncated to 63 characters (DNS label).
*/}}
{{- define "meshguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name, suffixed with the chart name unless it already contains it.
*/}}
{{- define "meshguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
chart label value: name-version.
*/}}
{{- define "meshguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable for the life of the release (a Deployment's selector is immutable).
*/}}
{{- define "meshguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end }}

{{/*
Labels on every resource the chart creates.
*/}}
{{- define "meshguard.labels" -}}
helm.sh/chart: {{ include "meshguard.chart" . }}
{{ include "meshguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: meshguard
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Name of the ServiceAccount the pods run as (and the RBAC bindings name).
*/}}
{{- define "meshguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "meshguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Container image reference: registry/repository, then @digest or :tag (default appVersion).
*/}}
{{- define "meshguard.image" -}}
{{- $repo := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repo = printf "%s/%s" (trimSuffix "/" .Values.image.registry) $repo }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Name meshguard's self-check looks for (config.webhookName, default the full name).
*/}}
{{- define "meshguard.webhookName" -}}
{{- default (include "meshguard.fullname" .) .Values.config.webhookName }}
{{- end }}

{{/*
Name of the MutatingWebhookConfiguration. It must sort before Istio's injector configurations
(istio-sidecar-injector, istio-revision-tag-default): the API server calls mutating webhooks in
lexical order of configuration name, and the injector is not reinvoked.
*/}}
{{- define "meshguard.mutatingName" -}}
{{- $name := default (printf "0-%s-mutating" (include "meshguard.fullname" .)) .Values.webhook.mutating.name }}
{{- if not (lt $name "istio-") }}
{{- fail (printf "webhook.mutating.name %q must sort before \"istio-\" (Istio's sidecar injector configurations): the API server calls mutating webhooks in lexical order of name and the injector runs only once, so meshguard's sizing annotations must be set before it; use a name like 0-meshguard-mutating" $name) }}
{{- end }}
{{- $name }}
{{- end }}

{{/*
Name of the ValidatingWebhookConfiguration.
*/}}
{{- define "meshguard.validatingName" -}}
{{- default (printf "%s-validating" (include "meshguard.fullname" .)) .Values.webhook.validating.name }}
{{- end }}

{{/*
TLS mode: certManager, existingSecret or generated.
*/}}
{{- define "meshguard.tlsMode" -}}
{{- if eq .Values.config.mode "serverless" }}platform
{{- else if .Values.certManager.enabled }}certManager
{{- else if .Values.tls.existingSecret }}existingSecret
{{- else }}generated
{{- end }}
{{- end }}

{{/*
Name of the Secret holding the serving certificate (tls.crt, tls.key).
*/}}
{{- define "meshguard.tlsSecretName" -}}
{{- if and (not .Values.certManager.enabled) .Values.tls.existingSecret }}
{{- .Values.tls.existingSecret }}
{{- else }}
{{- printf "%s-tls" (include "meshguard.fullname" .) }}
{{- end }}
{{- end }}

{{/*
DNS names the serving certificate must carry.
*/}}
{{- define "meshguard.dnsNames" -}}
{{- $svc := include "meshguard.fullname" . }}
{{- list (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) | toJson }}
{{- end }}

{{/*
The generated CA and serving certificate as JSON {ca, crt, key} (PEM). Computed once per render
and cached on the root context so the Secret and both webhook configurations agree; reused from
the existing Secret on upgrade (lookup) so the certificate is stable across releases.
*/}}
{{- define "meshguard.generatedTLS" -}}
{{- if not (hasKey $ "meshguardGeneratedTLS") }}
{{- $secretName := include "meshguard.tlsSecretName" . }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $secretName }}
{{- $tls := dict }}
{{- if and $existing $existing.data (hasKey $existing.data "ca.crt") (hasKey $existing.data "tls.crt") (hasKey $existing.data "tls.key") }}
{{- $tls = dict "ca" (index $existing.data "ca.crt" | b64dec) "crt" (index $existing.data "tls.crt" | b64dec) "key" (index $existing.data "tls.key" | b64dec) }}
{{- else }}
{{- $days := int .Values.tls.generatedValidityDays }}
{{- $ca := genCA (printf "%s-ca" (include "meshguard.fullname" .)) $days }}
{{- $dnsNames := include "meshguard.dnsNames" . | fromJsonArray }}
{{- $cert := genSignedCert (first $dnsNames) nil $dnsNames $days $ca }}
{{- $tls = dict "ca" $ca.Cert "crt" $cert.Cert "key" $cert.Key }}
{{- end }}
{{- $_ := set $ "meshguardGeneratedTLS" $tls }}
{{- end }}
{{- get $ "meshguardGeneratedTLS" | toJson }}
{{- end }}

{{/*
caBundle field of the webhook clientConfig (base64 PEM), or nothing when cert-manager injects it.
*/}}
{{- define "meshguard.caBundle" -}}
{{- $given := .Values.tls.caBundle | trim }}
{{- if $given }}
{{- if hasPrefix "-----BEGIN" $given }}{{ $given | b64enc }}{{ else }}{{ $given }}{{ end }}
{{- else if eq (include "meshguard.tlsMode" .) "generated" }}
{{- (include "meshguard.generatedTLS" . | fromJson).ca | b64enc }}
{{- end }}
{{- end }}

{{/*
Checks of value combinations the schema cannot express. Included by the Deployment and webhooks.
*/}}
{{- define "meshguard.validate" -}}
{{- $mode := include "meshguard.tlsMode" . }}
{{- if and (eq $mode "existingSecret") (not .Values.tls.caBundle) (ne .Values.config.selfCheck "patch") }}
{{- fail "tls.existingSecret needs tls.caBundle (the CA that signed it), or config.selfCheck: patch to let meshguard fill in the CA bundle" }}
{{- end }}
{{- if and (eq $mode "generated") .Values.tls.caBundle (not .Values.webhook.url) }}
{{- fail "tls.caBundle is only used with tls.existingSecret or webhook.url; without them Helm generates the certificate and its CA" }}
{{- end }}
{{- if and (eq $mode "certManager") .Values.tls.caBundle }}
{{- fail "tls.caBundle cannot be combined with certManager.enabled: cert-manager injects the CA bundle" }}
{{- end }}
{{- if and .Values.policyBundle.configMap .Values.policyBundle.path }}
{{- fail "policyBundle.configMap and policyBundle.path are exclusive: set one" }}
{{- end }}
{{- $webhookName := include "meshguard.webhookName" . }}
{{- range list (include "meshguard.mutatingName" .) (include "meshguard.validatingName" .) }}
{{- if not (contains $webhookName .) }}
{{- fail (printf "webhook configuration name %q must contain config.webhookName %q: meshguard's self-check finds its configurations by that name" . $webhookName) }}
{{- end }}
{{- end }}
{{- if eq .Values.config.mode "serverless" }}
{{- if not .Values.webhook.url }}
{{- fail "config.mode serverless needs webhook.url: the HTTPS URL of the Knative route the API server calls (e.g. https://meshguard.meshguard-system.example.com)" }}
{{- end }}
{{- range $key, $set := dict "certManager.enabled" .Values.certManager.enabled "tls.existingSecret" .Values.tls.existingSecret "networkPolicy.enabled" .Values.networkPolicy.enabled "serviceMonitor.enabled" .Values.serviceMonitor.enabled }}
{{- if $set }}
{{- fail (printf "%s does not apply to config.mode serverless: Knative's ingress serves TLS and routes to the instances (set tls.caBundle when the route's certificate is not publicly trusted)" $key) }}
{{- end }}
{{- end }}
{{- if and .Values.config.snapshot (or .Values.serverless.snapshot.configMap .Values.serverless.snapshot.secret) }}
{{- fail "config.snapshot and serverless.snapshot.configMap/secret are exclusive: set one" }}
{{- end }}
{{- if and .Values.serverless.snapshot.configMap .Values.serverless.snapshot.secret }}
{{- fail "serverless.snapshot.configMap and serverless.snapshot.secret are exclusive: set one" }}
{{- end }}
{{- end }}
{{- if eq (int .Values.config.port) (int .Values.config.probePort) }}
{{- fail "config.port and config.probePort must differ" }}
{{- end }}
{{- if le (mul (int .Values.terminationGracePeriodSeconds) 1000) (int .Values.config.shutdownGraceMs) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be longer than config.shutdownGraceMs (%d ms), or the pod is killed before meshguard has drained" (int .Values.terminationGracePeriodSeconds) (int .Values.config.shutdownGraceMs)) }}
{{- end }}
{{- end }}

{{/*
Container paths of the files the chart mounts.
*/}}
{{- define "meshguard.tlsDir" -}}/etc/meshguard/tls{{- end }}
{{- define "meshguard.orgConfigDir" -}}/etc/meshguard/org-config{{- end }}
{{- define "meshguard.policyDir" -}}/etc/meshguard/policy{{- end }}

{{/*
clientConfig of a webhook: the Service (or webhook.url) plus the CA bundle.
Call with (dict "root" $ "path" "/mutate").
*/}}
{{- define "meshguard.clientConfig" -}}
{{- $root := .root }}
{{- if $root.Values.webhook.url -}}
url: {{ printf "%s%s" (trimSuffix "/" $root.Values.webhook.url) .path | quote }}
{{- else -}}
service:
  name: {{ include "meshguard.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  path: {{ .path }}
  port: {{ $root.Values.service.port }}
{{- end }}
{{- with include "meshguard.caBundle" $root }}
caBundle: {{ . }}
{{- end }}
{{- end }}

{{/*
namespaceSelector shared by every webhook: never the release namespace nor the control plane
namespaces (for the namespaces webhook this matches the Namespace object's own labels, so those
Namespace objects are excluded too).
*/}}
{{- define "meshguard.namespaceSelector" -}}
{{- $excluded := concat (list .Release.Namespace "kube-system" "kube-public" "kube-node-lease") .Values.webhook.excludedNamespaces | uniq -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values: {{ toJson $excluded }}
{{- with .Values.webhook.namespaceSelectorExpressions }}
{{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Namespace whose Exemption objects meshguard honours: config.exemptionNamespace, else the release
namespace (meshguard's own; the Deployment passes it through the downward API).
*/}}
{{- define "meshguard.exemptionNamespace" -}}
{{- default .Release.Namespace .Values.config.exemptionNamespace }}
{{- end }}

{{/*
Namespaces whose Secrets meshguard reads (metadata only), as a JSON list; ["*"] = every namespace.
*/}}
{{- define "meshguard.secretNamespaces" -}}
{{- $list := list }}
{{- range splitList "," .Values.config.secretNamespaces }}
{{- if trim . }}{{ $list = append $list (trim .) }}{{ end }}
{{- end }}
{{- $list | uniq | toJson }}
{{- end }}

{{/*
Labels and annotations of the two webhook configurations. meshguard.io/managed marks them as the
chart's, the only configurations meshguard's self-check may patch.
*/}}
{{- define "meshguard.webhookMetadata" -}}
labels:
  {{- include "meshguard.labels" . | nindent 2 }}
  meshguard.io/managed: "true"
  meshguard.io/webhook-name: {{ include "meshguard.webhookName" . | quote }}
{{- if .Values.certManager.enabled }}
annotations:
  cert-manager.io/inject-ca-from: {{ printf "%s/%s" .Release.Namespace (include "meshguard.fullname" .) | quote }}
{{- end }}
{{- end }}

{{/*
PromQL matchers selecting meshguard's own series in the dashboard and the alerts: the value of
observability.metricsSelector, else the job and namespace the chart's ServiceMonitor scrapes
(Prometheus Operator names the job after the Service).
*/}}
{{- define "meshguard.metricsSelector" -}}
{{- .Values.observability.metricsSelector | default (printf "job=%q,namespace=%q" (include "meshguard.fullname" .) .Release.Namespace) -}}
{{- end }}

{{/*
failurePolicy of one webhook (key of webhook.failurePolicies): its own value, else the
configuration-wide webhook.validating/mutating.failurePolicy. Usage:
include "meshguard.failurePolicy" (dict "root" $ "webhook" "podsMutate" "kind" "mutating")
*/}}
{{- define "meshguard.failurePolicy" -}}
{{- $own := index .root.Values.webhook.failurePolicies .webhook -}}
{{- $own | default (index .root.Values.webhook .kind).failurePolicy -}}
{{- end }}

{{/*
namespaceSelector of the Pod and workload webhooks for one entry of webhook.meshNamespaces: the
shared exclusions, Istio's root namespace (istiod and the gateways must start while meshguard is
down) and webhook.workloadExcludedNamespaces, then the entry's matchExpressions. Usage:
include "meshguard.workloadNamespaceSelector" (dict "root" $ "selector" $entry)
*/}}
{{- define "meshguard.workloadNamespaceSelector" -}}
{{- $v := .root.Values -}}
{{- $excluded := concat (list .root.Release.Namespace "kube-system" "kube-public" "kube-node-lease") $v.webhook.excludedNamespaces (list $v.config.istioRootNamespace) $v.webhook.workloadExcludedNamespaces | uniq -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values: {{ toJson $excluded }}
{{- with $v.webhook.namespaceSelectorExpressions }}
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .selector.matchExpressions }}
{{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Name of the Pod or workload webhook for one entry of webhook.meshNamespaces: the base name,
prefixed with the entry's name when it has one ("revision.pods.mutate.meshguard.io").
*/}}
{{- define "meshguard.meshWebhookName" -}}
{{- if .selector.name }}{{ printf "%s.%s" .selector.name .base }}{{ else }}{{ .base }}{{ end }}
{{- end }}

{{/*
matchConditions of the webhooks that see UPDATEs of Pods and workloads: an UPDATE that changes
neither spec, labels nor annotations (finalizers, owner references, managed fields) is skipped.
*/}}
{{- define "meshguard.skipUnchangedUpdates" -}}
- name: skip-unchanged-updates
  expression: >-
    request.operation != 'UPDATE' || object.spec != oldObject.spec ||
    (has(object.metadata.labels) ? object.metadata.labels : {}) != (has(oldObject.metadata.labels) ? oldObject.metadata.labels : {}) ||
    (has(object.metadata.annotations) ? object.metadata.annotations : {}) != (has(oldObject.metadata.annotations) ? oldObject.metadata.annotations : {})
{{- end }}

{{/*
matchCondition of the deletion webhooks: the namespace controller and the garbage collector delete
whole namespaces and owned objects, referrers included; meshguard never stands in their way.
*/}}
{{- define "meshguard.skipControllerDeletes" -}}
- name: skip-namespace-and-garbage-collection
  expression: >-
    !(request.userInfo.username in ['system:serviceaccount:kube-system:namespace-controller', 'system:serviceaccount:kube-system:generic-garbage-collector'])
{{- end }}

{{/*
Container path of the snapshot mounted from serverless.snapshot.configMap or .secret.
*/}}
{{- define "meshguard.snapshotDir" -}}/etc/meshguard/snapshot{{- end }}
