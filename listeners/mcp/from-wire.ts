/**
 * A fault notification from an MCP server, validated once and turned into our Fault. Our own server sends the
 * whole Fault under `watchkeeper`; the fork sends only its own fields, which are mapped.
 */
import {
  faultClasses,
  FaultSchema,
  faultLimits,
  type Fault,
  type FaultClass,
} from '../../core/domain/fault.ts';
import { redact, redactBounded, redactJson, wellFormedJson } from '../../core/domain/redact.ts';
import type { Severity } from '../../core/domain/severity.ts';
import { ForkFaultSchema } from './fault-wire.ts';

const classByForkType: Readonly<Record<string, FaultClass>> = {
  CrashLoop: 'CrashLoopBackOff',
  PodCrash: 'ContainerErrorExit',
  NodeUnhealthy: 'NodeNotReady',
  DeploymentFailure: 'DeploymentRolloutFailed',
  JobFailure: 'JobFailed',
};
const apiVersionByKind: Readonly<Record<string, string>> = {
  Pod: 'v1',
  Node: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
};
const severityOf = (value: string | undefined): Severity =>
  value === 'critical' || value === 'high' || value === 'info' ? value : 'warning';
const isFaultClass = (value: string): value is FaultClass =>
  (faultClasses as readonly string[]).includes(value);

export type WireResult =
  { readonly ok: true; readonly fault: Fault } | { readonly ok: false; readonly problem: string };

export function faultFromWire(
  data: unknown,
  source: { readonly serverName: string; readonly cluster?: string },
): WireResult {
  const parsed = ForkFaultSchema.safeParse(wellFormedJson(data));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      problem: `${issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'data'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const wire = parsed.data;
  // A fault in Watchkeeper's own format is as untrusted as any other: every string redacted before it is parsed.
  const own =
    wire.watchkeeper === undefined ? undefined : FaultSchema.safeParse(redactJson(wire.watchkeeper));
  if (own?.success) {
    return {
      ok: true,
      fault: {
        ...own.data,
        source: { kind: 'mcp', name: source.serverName },
        cluster: source.cluster ?? own.data.cluster,
      },
    };
  }
  const cls = classByForkType[wire.faultType] ?? (isFaultClass(wire.faultType) ? wire.faultType : 'Other');
  const oom = cls === 'ContainerErrorExit' && (wire.context ?? '').includes('OOMKilled');
  return {
    ok: true,
    fault: {
      source: { kind: 'mcp', name: source.serverName },
      cluster: source.cluster ?? wire.cluster,
      faultId: wire.faultId,
      class: oom ? 'OOMKilled' : cls,
      severity: severityOf(wire.severity),
      resource: {
        apiVersion: wire.resource.apiVersion ?? apiVersionByKind[wire.resource.kind] ?? 'v1',
        kind: wire.resource.kind,
        name: wire.resource.name,
        ...(wire.resource.namespace && { namespace: wire.resource.namespace }),
        ...(wire.resource.uid && { uid: wire.resource.uid }),
      },
      context: {
        reason: redact(wire.faultType).slice(0, 256),
        ...(wire.context && { message: redactBounded(wire.context, faultLimits.message) }),
      },
      observedAt: wire.timestamp,
      resolved: false,
    },
  };
}
