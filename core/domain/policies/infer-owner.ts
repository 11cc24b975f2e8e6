/**
 * Owner inference for faults that arrive without `context.owners` (MCP servers often send only namespace, name
 * and uid): the owner chain read from the names Kubernetes controllers give the objects they create. Pure and
 * conservative: a name that fits no rule unambiguously gets no owner, and every answer says which rule gave it.
 * Not inferred, because the name alone is ambiguous: Job vs DaemonSet pods (`<name>-<5 chars>`) and StatefulSet
 * pods (`<name>-<ordinal>`, like a pod named `debug-1` by hand). The cluster lookup, where it exists, finds those.
 */
import type { Fault } from '../fault.ts';

export type OwnerRef = NonNullable<Fault['context']['owners']>[number];

export type OwnerInferenceRule =
  'deployment_pod_name' | 'replicaset_name' | 'cronjob_job_name' | 'cronjob_pod_name';

export interface InferredOwners {
  /** From the resource upwards, as a controller would have set `ownerReferences`. */
  readonly owners: readonly OwnerRef[];
  readonly rule: OwnerInferenceRule;
}

/** How a person reads each rule on the card and in the report. */
export const ownerInferenceText: Record<OwnerInferenceRule, string> = {
  deployment_pod_name: 'owner inferred from the pod name (Deployment pods are <deployment>-<hash>-<5 chars>)',
  replicaset_name: 'owner inferred from the ReplicaSet name (<deployment>-<hash>)',
  cronjob_job_name: 'owner inferred from the Job name (CronJob jobs are <cronjob>-<schedule time>)',
  cronjob_pod_name: 'owner inferred from the pod name (<cronjob>-<schedule time>-<5 chars>)',
};

/**
 * The alphabets the controllers use: `rand.SafeEncodeString` (no vowels, no 0/1/3) for the 5-char pod suffix
 * and the ReplicaSet's pod-template hash. Requiring them keeps `api-server` or `web-v2` from looking generated.
 */
const safe = '[bcdfghjklmnpqrstvwxz2456789]';
const podSuffix = new RegExp(`^(.+)-${safe}{5}$`);
const templateHash = new RegExp(`^(.+)-${safe}{6,10}$`);
/** CronJob jobs are named `<cronjob>-<scheduled time in minutes since the epoch>`, 8 or more digits today. */
const scheduleTime = /^(.+)-(\d{8,})$/;
/** Object names are DNS-1123 labels/subdomains: a match that leaves a trailing dash behind is not a controller's. */
const validStem = (stem: string) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(stem);

/** Guards against a name that merely looks generated: the hash must contain a digit or be 10 chars (rare words). */
const looksHashed = (hash: string) => /\d/.test(hash);

export function inferOwners(resource: Pick<Fault['resource'], 'kind' | 'name'>): InferredOwners | undefined {
  const name = resource.name;
  if (resource.kind === 'ReplicaSet') {
    const rs = templateHash.exec(name);
    if (rs?.[1] && validStem(rs[1]) && looksHashed(name.slice(rs[1].length + 1)))
      return { owners: [{ kind: 'Deployment', name: rs[1] }], rule: 'replicaset_name' };
    return undefined;
  }
  if (resource.kind === 'Job') {
    const job = scheduleTime.exec(name);
    if (job?.[1] && validStem(job[1]))
      return { owners: [{ kind: 'CronJob', name: job[1] }], rule: 'cronjob_job_name' };
    return undefined;
  }
  if (resource.kind !== 'Pod') return undefined;
  const pod = podSuffix.exec(name);
  if (pod?.[1]) {
    const parent = pod[1];
    const cron = scheduleTime.exec(parent);
    if (cron?.[1] && validStem(cron[1]))
      return {
        owners: [
          { kind: 'Job', name: parent },
          { kind: 'CronJob', name: cron[1] },
        ],
        rule: 'cronjob_pod_name',
      };
    const rs = templateHash.exec(parent);
    if (rs?.[1] && validStem(rs[1]) && looksHashed(parent.slice(rs[1].length + 1)))
      return {
        owners: [
          { kind: 'ReplicaSet', name: parent },
          { kind: 'Deployment', name: rs[1] },
        ],
        rule: 'deployment_pod_name',
      };
    // `<name>-<5 chars>` alone is a Job's or a DaemonSet's pod: ambiguous, so no owner is claimed.
    return undefined;
  }
  // `<name>-<ordinal>` is a StatefulSet's pod, or one named by hand (`debug-1`): no owner is claimed either.
  return undefined;
}
