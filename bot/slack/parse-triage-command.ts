/** `/triage` arguments: `<kind>/<namespace>/<name> [cluster=…] [agent=…]`, `list`, `status <id>`, `help`. */
import type { Severity } from '../../core/domain/severity.ts';
import { severities } from '../../core/domain/severity.ts';
import { escapeBounded } from './render/escape.ts';

export type TriageCommand =
  | { readonly type: 'help' }
  | { readonly type: 'list' }
  | { readonly type: 'status'; readonly incidentId: string }
  | {
      readonly type: 'triage';
      readonly kind: string;
      readonly apiVersion: string;
      readonly namespace?: string;
      readonly name: string;
      readonly cluster?: string;
      readonly agent?: string;
      readonly severity?: Severity;
    }
  | { readonly type: 'invalid'; readonly problem: string };

export const triageUsage = [
  '`/triage <kind>/<namespace>/<name> [cluster=<name>] [agent=<profile>] [severity=<level>]` starts a triage',
  '  (cluster-scoped kinds: `/triage node/<name>`)',
  '`/triage list` shows open incidents',
  '`/triage status <incident id>` shows one incident',
  '`/triage help` shows this',
].join('\n');

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const objectName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const kindName = /^[A-Za-z][A-Za-z0-9]{0,62}$/;
const clusterScoped = new Set(['node', 'no', 'namespace', 'ns', 'persistentvolume', 'pv']);
const options = ['cluster', 'agent', 'severity'] as const;

export function parseTriageCommand(text: string): TriageCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined || first === 'help') return { type: 'help' };
  if (first === 'list')
    return rest.length === 0 ? { type: 'list' } : invalid('`/triage list` takes no arguments');
  if (first === 'status') {
    const [id, ...extra] = rest;
    if (id === undefined || extra.length > 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(id))
      return invalid('give one incident id: `/triage status <incident id>`');
    return { type: 'status', incidentId: id };
  }
  const parts = first.split('/');
  const [kind, second, third, ...more] = parts;
  if (kind === undefined || second === undefined || more.length > 0 || !kindName.test(kind))
    return invalid(`\`${echo(first)}\` is not \`<kind>/<namespace>/<name>\` (e.g. \`pod/shop/api-7d4f9\`)`);
  const known = kinds[kind.toLowerCase()];
  if (!known)
    return invalid(
      `unknown kind \`${echo(kind)}\`; use one of ${[...new Set(Object.values(kinds).map(([k]) => k.toLowerCase()))].join(', ')}`,
    );
  const scoped = third !== undefined;
  if (!scoped && !clusterScoped.has(kind.toLowerCase()))
    return invalid(
      `a ${echo(kind)} lives in a namespace: \`/triage ${echo(kind)}/<namespace>/${echo(second)}\``,
    );
  const namespace = scoped ? second : undefined;
  const name = scoped ? third : second;
  if (namespace !== undefined && !dnsLabel.test(namespace))
    return invalid(`\`${echo(namespace)}\` is not a valid namespace name`);
  if (!objectName.test(name) || name.length > 253)
    return invalid(`\`${echo(name)}\` is not a valid Kubernetes object name`);
  const values: Partial<Record<(typeof options)[number], string>> = {};
  for (const word of rest) {
    const match = /^([a-z]+)=(.+)$/.exec(word);
    const key = match?.[1] as (typeof options)[number] | undefined;
    if (!match || !key || !options.includes(key))
      return invalid(`unknown option \`${echo(word)}\`; options are cluster=, agent=, severity=`);
    values[key] = match[2] ?? '';
  }
  if (values.severity !== undefined && !(severities as readonly string[]).includes(values.severity))
    return invalid(`severity must be one of ${severities.join(', ')}`);
  return {
    type: 'triage',
    kind: known[0],
    apiVersion: known[1],
    ...(namespace !== undefined && { namespace }),
    name,
    ...(values.cluster !== undefined && { cluster: values.cluster }),
    ...(values.agent !== undefined && { agent: values.agent }),
    ...(values.severity !== undefined && { severity: values.severity as Severity }),
  };
}

function invalid(problem: string): TriageCommand {
  return { type: 'invalid', problem };
}

const core = 'v1';
const apps = 'apps/v1';
const batch = 'batch/v1';
/** Kinds and short names people type, with their API version. */
const kinds: Readonly<Record<string, readonly [kind: string, apiVersion: string]>> = {
  pod: ['Pod', core],
  po: ['Pod', core],
  deployment: ['Deployment', apps],
  deploy: ['Deployment', apps],
  statefulset: ['StatefulSet', apps],
  sts: ['StatefulSet', apps],
  daemonset: ['DaemonSet', apps],
  ds: ['DaemonSet', apps],
  replicaset: ['ReplicaSet', apps],
  rs: ['ReplicaSet', apps],
  job: ['Job', batch],
  cronjob: ['CronJob', batch],
  cj: ['CronJob', batch],
  node: ['Node', core],
  no: ['Node', core],
  service: ['Service', core],
  svc: ['Service', core],
  persistentvolumeclaim: ['PersistentVolumeClaim', core],
  pvc: ['PersistentVolumeClaim', core],
  persistentvolume: ['PersistentVolume', core],
  pv: ['PersistentVolume', core],
  namespace: ['Namespace', core],
  ns: ['Namespace', core],
};

/** A piece of the user's input quoted back in an error: bounded, escaped, no backticks to break the quote. */
function echo(text: string): string {
  return escapeBounded(text.replaceAll('`', ''), 80);
}
