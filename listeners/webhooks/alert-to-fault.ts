/**
 * Maps an Alertmanager alert to a Fault. The resource comes from the usual kube-state-metrics / kubelet labels
 * (pod, deployment, statefulset, daemonset, job_name, node, namespace); the faultId from the alert's
 * fingerprint, so firing and resolved notifications of one alert are one fault, and a resent webhook is a replay.
 */
import { createHash } from 'node:crypto';
import { faultLimits, type Fault } from '../../core/domain/fault.ts';
import {
  isSecretKeyName,
  redact,
  redactBounded,
  redactionMask,
  redactNamed,
  redactUrl,
} from '../../core/domain/redact.ts';
import type { ResourceRef } from '../../core/domain/resource.ts';
import type { Severity } from '../../core/domain/severity.ts';
import type { Alert } from './alertmanager-payload.ts';

const severityByLabel: Record<string, Severity> = {
  critical: 'critical',
  page: 'critical',
  error: 'high',
  high: 'high',
  major: 'high',
  warning: 'warning',
  warn: 'warning',
  minor: 'warning',
  info: 'info',
  none: 'info',
};

const workloadLabels: readonly (readonly [string, string, string])[] = [
  ['pod', 'v1', 'Pod'],
  ['deployment', 'apps/v1', 'Deployment'],
  ['statefulset', 'apps/v1', 'StatefulSet'],
  ['daemonset', 'apps/v1', 'DaemonSet'],
  ['job_name', 'batch/v1', 'Job'],
  ['cronjob', 'batch/v1', 'CronJob'],
  ['persistentvolumeclaim', 'v1', 'PersistentVolumeClaim'],
];

function resourceOf(labels: Readonly<Record<string, string>>): ResourceRef {
  const namespace = labels.namespace;
  for (const [label, apiVersion, kind] of workloadLabels) {
    const name = labels[label];
    if (name) return { apiVersion, kind, name, ...(namespace && { namespace }) };
  }
  if (labels.node) return { apiVersion: 'v1', kind: 'Node', name: labels.node };
  if (namespace) return { apiVersion: 'v1', kind: 'Namespace', name: namespace };
  return { apiVersion: 'v1', kind: 'Alert', name: alertObjectName(labels.alertname) };
}

/** An alert about no Kubernetes object is named after the alert, made a valid name (it is not a cluster's). */
function alertObjectName(alertname: string | undefined): string {
  const name = (alertname ?? '').replace(/[\s\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}/]+/gu, '-').slice(0, 253);
  return name.replace(/^-+|-+$/g, '') || 'unnamed';
}

function fingerprintOf(alert: Alert): string {
  if (alert.fingerprint) return alert.fingerprint;
  const sorted = Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

export function alertToFault(
  alert: Alert,
  options: { readonly sourceName: string; readonly defaultCluster: string },
): Fault {
  const labels = alert.labels;
  const resolved = alert.status === 'resolved';
  const message = alert.annotations.summary ?? alert.annotations.description ?? alert.annotations.message;
  const container = labels.container;
  // Redacted before they are cut: a cut secret no longer looks like one.
  const boundedLabels = Object.fromEntries(
    Object.entries(labels)
      .slice(0, 64)
      .map(([k, v]) => [k.slice(0, 317), redactNamed(k, v).slice(0, 63)]),
  );
  return {
    source: { kind: 'alertmanager', name: options.sourceName },
    cluster: labels.cluster ?? options.defaultCluster,
    faultId: `alert-${fingerprintOf(alert)}`,
    class: 'Alert',
    severity: severityByLabel[(labels.severity ?? '').toLowerCase()] ?? 'warning',
    resource: resourceOf(labels),
    ...(container && { container: container.slice(0, 253) }),
    context: {
      reason: redact(labels.alertname ?? 'alert').slice(0, 256),
      ...(message && { message: redactBounded(message, faultLimits.message) }),
      labels: boundedLabels,
      ...(labels.node && { node: labels.node }),
    },
    // Firing and resolution each have their own instant, so a resent notification is recognised as a replay.
    observedAt: resolved && alert.endsAt ? alert.endsAt : alert.startsAt,
    resolved,
    raw: {
      ...(alert.generatorURL !== undefined && { generatorURL: redactUrl(alert.generatorURL) }),
      annotations: Object.fromEntries(
        Object.entries(alert.annotations).map(([k, v]) => [
          k,
          isSecretKeyName(k) ? redactionMask : redactBounded(v, faultLimits.logLine),
        ]),
      ),
    },
  };
}
