{{/* Names, labels and the image reference used by every template. */}}

{{- define "wharf.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wharf.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The operator's objects: <fullname>-operator. */}}
{{- define "wharf.operatorName" -}}
{{- printf "%s-operator" (include "wharf.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wharf.webhookName" -}}
{{- printf "%s-webhook" (include "wharf.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wharf.webhookSecretName" -}}
{{- printf "%s-webhook-tls" (include "wharf.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The default WharfCluster's TLS Secret (the operator's default: <name>-tls). */}}
{{- define "wharf.defaultClusterTlsSecretName" -}}
{{- default (printf "%s-tls" .Values.defaultCluster.name) .Values.defaultCluster.tls.secretName -}}
{{- end -}}

{{/* "true" when the operator makes and rotates the webhook certificate (cert-manager off). */}}
{{- define "wharf.operatorManagesWebhookCert" -}}
{{- if and .Values.webhook.enabled (not .Values.webhook.certManager.enabled) -}}true{{- end -}}
{{- end -}}

{{- define "wharf.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* app.kubernetes.io recommended labels on every object. */}}
{{- define "wharf.labels" -}}
helm.sh/chart: {{ include "wharf.chart" . }}
{{ include "wharf.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wharf
{{- end -}}

{{- define "wharf.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wharf.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "wharf.operatorSelectorLabels" -}}
{{ include "wharf.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "wharf.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "wharf.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository:tag or repository@digest */}}
{{- define "wharf.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "wharf.sidecarImage" -}}
{{- default (include "wharf.image" .) .Values.sidecar.image -}}
{{- end -}}

{{/* NAMESPACE/NAME of the WharfCluster sidecars use when their pod names none. */}}
{{- define "wharf.defaultClusterRef" -}}
{{- default (printf "%s/%s" .Release.Namespace .Values.defaultCluster.name) .Values.sidecar.defaultCluster -}}
{{- end -}}
