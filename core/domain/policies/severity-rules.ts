/**
 * Severity: each fault class has a default, the source may say more, and configured rules have the last word
 * (e.g. "anything in namespace payments is critical", "Evicted in dev is info").
 */
import type { Fault, FaultClass } from '../fault.ts';
import type { Severity } from '../severity.ts';

export const classSeverity: Record<FaultClass, Severity> = {
  CrashLoopBackOff: 'high',
  OOMKilled: 'high',
  ContainerErrorExit: 'warning',
  ImagePullBackOff: 'high',
  ContainerConfigError: 'high',
  ProbeFailure: 'warning',
  Unschedulable: 'warning',
  Evicted: 'warning',
  NodeNotReady: 'critical',
  NodePressure: 'high',
  JobFailed: 'warning',
  DeploymentRolloutFailed: 'high',
  WorkloadUnavailable: 'high',
  VolumeProblem: 'high',
  Alert: 'warning',
  Manual: 'warning',
  Other: 'info',
};

export interface SeverityRule {
  readonly match: {
    readonly cluster?: string;
    readonly namespace?: string;
    readonly class?: FaultClass;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly severity: Severity;
}

function ruleMatches(rule: SeverityRule, fault: Fault): boolean {
  const { match } = rule;
  const labels = fault.context.labels ?? {};
  return (
    (match.cluster === undefined || match.cluster === fault.cluster) &&
    (match.namespace === undefined || match.namespace === fault.resource.namespace) &&
    (match.class === undefined || match.class === fault.class) &&
    Object.entries(match.labels ?? {}).every(([key, value]) => labels[key] === value)
  );
}

/** The first matching rule wins; without one, the severity the source reported stands. */
export function effectiveSeverity(fault: Fault, rules: readonly SeverityRule[]): Severity {
  return rules.find((rule) => ruleMatches(rule, fault))?.severity ?? fault.severity;
}
