#!/usr/bin/env node
// A read-only first look at one pod, in one call: every init and app container's state, last termination (reason,
// exit code, message), restarts, probes, requests/limits and its previous (or last) logs read per container — not
// with --all-containers --previous, which stops at the first container that never restarted (kubernetes#97530) —
// then the referenced ConfigMap/Secret names, the node's conditions, the owner chain, and the Events of the pod
// and of each owner (a ReplicaSet's FailedCreate: quota, LimitRange, webhook, missing ServiceAccount).
//   node pod-summary.mjs NAMESPACE POD [--tail N]
import {
  age,
  eventsFor,
  getJson,
  isName,
  kubectl,
  oneLine,
  output,
  printConfigReferences,
  printEvents,
  usage,
} from './lib/kube.mjs';

const args = process.argv.slice(2);
const tailAt = args.indexOf('--tail');
const tail = tailAt >= 0 ? Math.min(200, Math.max(1, Number(args.splice(tailAt, 2)[1]) || 40)) : 40;
const [namespace, podName] = args;
if (!isName(namespace) || !isName(podName))
  usage('usage: pod-summary.sh NAMESPACE POD [--tail N]   (read-only)');

const out = output();
const podRead = await getJson(['pod', podName, '-n', namespace]);
if (!podRead.ok) {
  out.failure(`pod ${namespace}/${podName}`, podRead);
  if (podRead.kind === 'notfound')
    out.line(`The pod is gone (replaced or deleted): list its siblings with kubectl get pods -n ${namespace} -l <labels>,
or run workload-summary.sh on its owner (incident.json names the owners).`);
  out.print();
  process.exit(1);
}
const pod = podRead.value;
const spec = pod.spec ?? {};
const status = pod.status ?? {};

out.section(`pod ${namespace}/${podName}`);
out.line(
  `  phase ${status.phase ?? '?'}${status.reason ? ` (${status.reason})` : ''}, node ${spec.nodeName ?? '(not scheduled)'}, ` +
    `age ${age(pod.metadata?.creationTimestamp)}, qosClass ${status.qosClass ?? '?'}, serviceAccount ${spec.serviceAccountName ?? 'default'}` +
    `${spec.priorityClassName ? `, priorityClass ${spec.priorityClassName}` : ''}`,
);
if (status.message) out.line(`  message: ${oneLine(status.message)}`);
for (const c of status.conditions ?? [])
  if (c.status !== 'True' || c.reason)
    out.line(
      `  condition ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${oneLine(c.message)}` : ''}`,
    );

// Containers: spec and status side by side, init containers first (they run first and block the rest).
const containers = [
  ...(spec.initContainers ?? []).map((c) => ({
    spec: c,
    kind: c.restartPolicy === 'Always' ? 'sidecar (init)' : 'init',
    status: status.initContainerStatuses?.find((s) => s.name === c.name),
  })),
  ...(spec.containers ?? []).map((c) => ({
    spec: c,
    kind: 'app',
    status: status.containerStatuses?.find((s) => s.name === c.name),
  })),
  ...(spec.ephemeralContainers ?? []).map((c) => ({
    spec: c,
    kind: 'ephemeral',
    status: status.ephemeralContainerStatuses?.find((s) => s.name === c.name),
  })),
];

function describeState(state) {
  if (!state) return 'none';
  if (state.running) return `running since ${age(state.running.startedAt)} ago`;
  if (state.waiting)
    return `waiting ${state.waiting.reason ?? ''}${state.waiting.message ? `: ${oneLine(state.waiting.message)}` : ''}`;
  if (state.terminated) {
    const t = state.terminated;
    return (
      `terminated ${t.reason ?? ''} exitCode=${t.exitCode}${t.signal ? ` signal=${t.signal}` : ''}` +
      ` after ${t.startedAt && t.finishedAt ? age(t.startedAt, new Date(t.finishedAt).getTime()) : '?'}` +
      ` (${age(t.finishedAt)} ago)${t.message ? `: ${oneLine(t.message)}` : ''}`
    );
  }
  return JSON.stringify(state);
}

function describeProbe(name, probe) {
  if (!probe) return undefined;
  const how = probe.httpGet
    ? `http ${probe.httpGet.path ?? '/'}:${probe.httpGet.port}`
    : probe.tcpSocket
      ? `tcp :${probe.tcpSocket.port}`
      : probe.grpc
        ? `grpc :${probe.grpc.port}`
        : probe.exec
          ? `exec ${(probe.exec.command ?? []).join(' ')}`
          : '?';
  return (
    `${name} ${how} delay=${probe.initialDelaySeconds ?? 0}s period=${probe.periodSeconds ?? 10}s ` +
    `timeout=${probe.timeoutSeconds ?? 1}s failureThreshold=${probe.failureThreshold ?? 3}`
  );
}

function describeResources(resources) {
  const part = (what) =>
    Object.entries(resources?.[what] ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || 'none';
  return `requests ${part('requests')}; limits ${part('limits')}`;
}

out.section('containers');
for (const { spec: c, kind, status: s } of containers) {
  out.line(
    `- ${c.name} [${kind}] image ${c.image}${s ? (s.imageID ? '' : ' (not pulled yet)') : ' (no status yet)'}; ready=${s?.ready ?? false} ` +
      `restarts=${s?.restartCount ?? 0}${s?.started === false ? ' started=false' : ''}`,
  );
  out.line(`    state: ${describeState(s?.state)}`);
  if (s?.lastState && Object.keys(s.lastState).length > 0)
    out.line(`    last:  ${describeState(s.lastState)}`);
  out.line(`    ${describeResources(c.resources)}`);
  if (c.command || c.args)
    out.line(`    command: ${[...(c.command ?? []), ...(c.args ?? [])].join(' ').slice(0, 200)}`);
  for (const probe of [
    describeProbe('liveness', c.livenessProbe),
    describeProbe('readiness', c.readinessProbe),
    describeProbe('startup', c.startupProbe),
  ].filter(Boolean))
    out.line(`    ${probe}`);
  if (c.env?.length) out.line(`    env names: ${c.env.map((e) => e.name).join(', ')}`);
}

// Logs, per container: the previous run's for a container that restarted, the last run's for one that ended,
// the current tail for one that runs but is not ready. A healthy, never-restarted container is skipped.
function logPlan(s) {
  if (!s) return undefined;
  if (s.lastState?.terminated || (s.restartCount ?? 0) > 0) return { previous: true, tail };
  if (s.state?.terminated) return { previous: false, tail };
  if (s.state?.running && !s.ready) return { previous: false, tail: Math.min(tail, 20) };
  return undefined;
}
const logReads = await Promise.all(
  containers.map(async ({ spec: c, status: s }) => {
    const plan = logPlan(s);
    if (!plan) return { name: c.name, skipped: true, started: s?.state?.running !== undefined };
    const result = await kubectl([
      'logs',
      podName,
      '-n',
      namespace,
      '-c',
      c.name,
      ...(plan.previous ? ['--previous'] : []),
      `--tail=${plan.tail}`,
      '--limit-bytes=65536',
    ]);
    return { name: c.name, plan, result };
  }),
);
out.section(`logs (per container, last ${tail} lines)`);
for (const read of logReads) {
  if (read.skipped) {
    out.line(
      `- ${read.name}: ${read.started ? 'healthy and never restarted — logs not read' : 'not started yet — no logs'}`,
    );
    continue;
  }
  const which = read.plan.previous ? 'previous run' : 'current/last run';
  if (!read.result.ok) {
    out.failure(`logs of ${read.name} (${which})`, read.result);
    continue;
  }
  const lines = read.result.stdout.split('\n').filter((l) => l.trim() !== '');
  out.line(`- ${read.name} (${which}): ${lines.length ? '' : '(empty)'}`);
  for (const line of lines) out.line(`    ${line}`);
}

out.section('configuration referenced (names and keys only; never values)');
await printConfigReferences(out, namespace, spec, pod.metadata?.creationTimestamp);

// Owners up the chain (Pod → ReplicaSet → Deployment, Pod → Job → CronJob, …), and every link's events.
const chain = [];
let owner =
  (pod.metadata?.ownerReferences ?? []).find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
while (owner && chain.length < 4) {
  const read = await getJson([
    `${owner.kind.toLowerCase()}.${groupOf(owner.apiVersion)}`,
    owner.name,
    '-n',
    namespace,
  ]);
  chain.push({ kind: owner.kind, name: owner.name, read });
  owner = read.ok ? (read.value.metadata?.ownerReferences ?? []).find((o) => o.controller) : undefined;
}
function groupOf(apiVersion) {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
out.section('owners');
if (chain.length === 0) out.line('  none (a bare pod: nothing recreates it if it is deleted)');
for (const link of chain) {
  if (!link.read.ok) {
    out.failure(`${link.kind} ${link.name}`, link.read);
    continue;
  }
  const o = link.read.value;
  const revision = o.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  const st = o.status ?? {};
  out.line(
    `- ${link.kind} ${link.name}${revision ? ` revision ${revision}` : ''}, age ${age(o.metadata?.creationTimestamp)}` +
      `${o.spec?.replicas !== undefined ? `, replicas ${st.readyReplicas ?? 0}/${o.spec.replicas} ready` : ''}` +
      `${st.failed !== undefined || st.succeeded !== undefined ? `, succeeded ${st.succeeded ?? 0} failed ${st.failed ?? 0}` : ''}`,
  );
  for (const c of st.conditions ?? [])
    out.line(
      `    condition ${c.type}=${c.status} ${c.reason ?? ''}${c.message ? `: ${oneLine(c.message)}` : ''}`,
    );
}

out.section('events');
const eventReads = await Promise.all([
  eventsFor(namespace, 'Pod', podName),
  ...chain.map((link) => eventsFor(namespace, link.kind, link.name, 10)),
]);
printEvents(out, `Pod ${podName}`, eventReads[0]);
chain.forEach((link, i) => printEvents(out, `${link.kind} ${link.name}`, eventReads[i + 1]));

if (spec.nodeName) {
  out.section(`node ${spec.nodeName}`);
  const nodeRead = await getJson(['node', spec.nodeName]);
  if (!nodeRead.ok) out.failure(`node ${spec.nodeName}`, nodeRead);
  else {
    const node = nodeRead.value;
    for (const c of node.status?.conditions ?? []) {
      const bad = c.type === 'Ready' ? c.status !== 'True' : c.status === 'True';
      out.line(
        `  ${bad ? '!' : ' '} ${c.type}=${c.status} ${c.reason ?? ''} (heartbeat ${age(c.lastHeartbeatTime)} ago)` +
          `${bad && c.message ? `: ${oneLine(c.message)}` : ''}`,
      );
    }
    if (node.spec?.unschedulable) out.line('  ! cordoned (unschedulable)');
    for (const t of node.spec?.taints ?? []) out.line(`  taint ${t.key}=${t.value ?? ''}:${t.effect}`);
    const alloc = node.status?.allocatable ?? {};
    out.line(`  allocatable cpu=${alloc.cpu ?? '?'} memory=${alloc.memory ?? '?'} pods=${alloc.pods ?? '?'}`);
  }
}
out.print();
