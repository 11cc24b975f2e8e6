#!/usr/bin/env node
// A read-only "what changed" look at one workload, in one call: its conditions and replicas, the rollout history
// with revisions (ReplicaSets or ControllerRevisions), the pod-template diff between the current and the
// previous revision, its pods by state, the HPA, PDB, ResourceQuota and LimitRange that apply, the referenced
// ConfigMaps' last change, and the Events of the workload and its newest ReplicaSet.
//   node workload-summary.mjs NAMESPACE KIND/NAME    (deployment/x, statefulset/x, daemonset/x, job/x, cronjob/x)
import {
  age,
  eventsFor,
  getJson,
  isName,
  oneLine,
  output,
  printConfigReferences,
  printEvents,
  usage,
} from './lib/kube.mjs';

const kinds = {
  deployment: { kind: 'Deployment', resource: 'deployment.apps' },
  statefulset: { kind: 'StatefulSet', resource: 'statefulset.apps' },
  daemonset: { kind: 'DaemonSet', resource: 'daemonset.apps' },
  job: { kind: 'Job', resource: 'job.batch' },
  cronjob: { kind: 'CronJob', resource: 'cronjob.batch' },
};
const aliases = {
  deploy: 'deployment',
  deployments: 'deployment',
  sts: 'statefulset',
  ds: 'daemonset',
  cj: 'cronjob',
};

const [namespace, ref] = process.argv.slice(2);
const [rawKind, name] = (ref ?? '').split('/');
const kindKey = aliases[rawKind?.toLowerCase()] ?? rawKind?.toLowerCase()?.replace(/s$/, '');
const target = kinds[kindKey];
if (!isName(namespace) || !isName(name) || !target)
  usage(
    'usage: workload-summary.sh NAMESPACE KIND/NAME   (kind: deployment, statefulset, daemonset, job, cronjob)',
  );

const out = output(450);
const read = await getJson([target.resource, name, '-n', namespace]);
if (!read.ok) {
  out.failure(`${target.kind} ${namespace}/${name}`, read);
  out.print();
  process.exit(1);
}
const workload = read.value;
const uid = workload.metadata?.uid;
const template =
  target.kind === 'CronJob' ? workload.spec?.jobTemplate?.spec?.template : workload.spec?.template;
const podSpec = template?.spec ?? {};
const selector = matchLabels(workload.spec?.selector ?? { matchLabels: template?.metadata?.labels });

function matchLabels(labelSelector) {
  const parts = Object.entries(labelSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of labelSelector?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${e.values.join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${e.values.join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function owned(items) {
  return items.filter((item) => (item.metadata?.ownerReferences ?? []).some((o) => o.uid === uid));
}

// All independent reads at once.
const [replicaSets, revisions, pods, hpas, pdbs, quotas, limitRanges, jobs, ownEvents] = await Promise.all([
  target.kind === 'Deployment' ? getJson(['replicaset.apps', '-n', namespace, '-l', selector]) : undefined,
  ['StatefulSet', 'DaemonSet'].includes(target.kind)
    ? getJson(['controllerrevision.apps', '-n', namespace, '-l', selector])
    : undefined,
  selector && target.kind !== 'CronJob' ? getJson(['pod', '-n', namespace, '-l', selector]) : undefined,
  getJson(['horizontalpodautoscaler.autoscaling', '-n', namespace]),
  getJson(['poddisruptionbudget.policy', '-n', namespace]),
  getJson(['resourcequota', '-n', namespace]),
  getJson(['limitrange', '-n', namespace]),
  target.kind === 'CronJob' ? getJson(['job.batch', '-n', namespace]) : undefined,
  eventsFor(namespace, target.kind, name),
]);

out.section(`${target.kind} ${namespace}/${name}`);
const spec = workload.spec ?? {};
const st = workload.status ?? {};
out.line(
  `  age ${age(workload.metadata?.creationTimestamp)}, generation ${workload.metadata?.generation} (observed ${st.observedGeneration ?? '?'})`,
);
if (target.kind === 'Deployment' || target.kind === 'StatefulSet')
  out.line(
    `  replicas desired ${spec.replicas ?? 1}, current ${st.replicas ?? 0}, updated ${st.updatedReplicas ?? 0}, ` +
      `ready ${st.readyReplicas ?? 0}, available ${st.availableReplicas ?? 0}, unavailable ${st.unavailableReplicas ?? 0}` +
      `${spec.paused ? ', PAUSED' : ''}${spec.strategy?.type ? `, strategy ${spec.strategy.type}` : ''}` +
      `${spec.progressDeadlineSeconds ? `, progressDeadline ${spec.progressDeadlineSeconds}s` : ''}`,
  );
if (target.kind === 'DaemonSet')
  out.line(
    `  desired ${st.desiredNumberScheduled ?? 0}, scheduled ${st.currentNumberScheduled ?? 0}, updated ` +
      `${st.updatedNumberScheduled ?? 0}, ready ${st.numberReady ?? 0}, unavailable ${st.numberUnavailable ?? 0}, misscheduled ${st.numberMisscheduled ?? 0}`,
  );
if (target.kind === 'Job')
  out.line(
    `  completions ${spec.completions ?? 1}, parallelism ${spec.parallelism ?? 1}, backoffLimit ${spec.backoffLimit ?? 6}` +
      `${spec.activeDeadlineSeconds ? `, activeDeadline ${spec.activeDeadlineSeconds}s` : ''}; active ${st.active ?? 0}, ` +
      `succeeded ${st.succeeded ?? 0}, failed ${st.failed ?? 0}, started ${age(st.startTime)} ago`,
  );
if (target.kind === 'CronJob')
  out.line(
    `  schedule "${spec.schedule}"${spec.timeZone ? ` ${spec.timeZone}` : ''}${spec.suspend ? ', SUSPENDED' : ''}, ` +
      `concurrencyPolicy ${spec.concurrencyPolicy ?? 'Allow'}, last scheduled ${age(st.lastScheduleTime)} ago, ` +
      `last successful ${st.lastSuccessfulTime ? `${age(st.lastSuccessfulTime)} ago` : 'never'}, active ${(st.active ?? []).length}`,
  );
for (const c of st.conditions ?? [])
  out.line(
    `  condition ${c.type}=${c.status} ${c.reason ?? ''} (${age(c.lastTransitionTime ?? c.lastUpdateTime)} ago)${c.message ? `: ${oneLine(c.message)}` : ''}`,
  );

// Rollout history: revisions newest first, and the template diff between the newest two.
const history = [];
if (replicaSets?.ok)
  for (const rs of owned(replicaSets.value.items))
    history.push({
      revision: Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
      name: rs.metadata.name,
      created: rs.metadata.creationTimestamp,
      detail: `replicas ${rs.status?.readyReplicas ?? 0}/${rs.spec?.replicas ?? 0} ready`,
      cause: rs.metadata?.annotations?.['kubernetes.io/change-cause'],
      template: rs.spec?.template,
    });
if (revisions?.ok)
  for (const cr of owned(revisions.value.items))
    history.push({
      revision: cr.revision,
      name: cr.metadata.name,
      created: cr.metadata.creationTimestamp,
      detail: '',
      cause: cr.metadata?.annotations?.['kubernetes.io/change-cause'],
      template: cr.data?.spec?.template,
    });
history.sort((a, b) => b.revision - a.revision);
if (replicaSets || revisions) {
  out.section('rollout history (newest first)');
  const source = replicaSets ?? revisions;
  if (!source.ok) out.failure('revisions', source);
  else if (history.length === 0) out.line('  no revisions found');
  for (const h of history.slice(0, 8))
    out.line(
      `  revision ${h.revision} ${h.name} created ${age(h.created)} ago${h.detail ? `, ${h.detail}` : ''}` +
        `${h.cause ? `, change-cause: ${oneLine(h.cause)}` : ''}; images ${images(h.template).join(', ')}`,
    );
  if (history.length > 8) out.line(`  … ${history.length - 8} older revisions`);
  if (history.length >= 2) {
    out.section(`template diff: revision ${history[1].revision} → ${history[0].revision}`);
    const changes = diff(flatten(normalize(history[1].template)), flatten(normalize(history[0].template)));
    if (changes.length === 0)
      out.line('  no pod-template change (a restart or a change outside the template)');
    for (const line of changes.slice(0, 60)) out.line(`  ${line}`);
    if (changes.length > 60) out.line(`  … ${changes.length - 60} more changed fields`);
  }
}

function images(tpl) {
  return [...(tpl?.spec?.initContainers ?? []), ...(tpl?.spec?.containers ?? [])].map(
    (c) => `${c.name}=${c.image}`,
  );
}

/** Drops what changes on every revision by itself, and keys containers/env by name so diffs read well. */
function normalize(tpl) {
  if (!tpl) return {};
  const copy = JSON.parse(JSON.stringify(tpl));
  delete copy.metadata?.labels?.['pod-template-hash'];
  delete copy.metadata?.creationTimestamp;
  for (const list of ['initContainers', 'containers']) {
    if (!copy.spec?.[list]) continue;
    copy.spec[list] = Object.fromEntries(
      copy.spec[list].map((c) => [
        c.name,
        { ...c, env: c.env ? Object.fromEntries(c.env.map((e) => [e.name, maskEnv(e)])) : undefined },
      ]),
    );
  }
  return copy;
}

/** Env values are shown unless the name looks like a credential. */
function maskEnv(e) {
  if (e.valueFrom) return e.valueFrom;
  return /pass|secret|token|key|credential|auth|cert/i.test(e.name) ? '(value hidden)' : e.value;
}

function flatten(value, prefix = '', result = new Map()) {
  if (value === undefined) return result;
  if (value === null || typeof value !== 'object') result.set(prefix, JSON.stringify(value));
  else if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object'))
    result.set(prefix, JSON.stringify(value));
  else for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, result);
  return result;
}

function diff(before, after) {
  const lines = [];
  for (const [path, value] of after) {
    if (!before.has(path)) lines.push(`+ ${path}: ${value}`);
    else if (before.get(path) !== value) lines.push(`~ ${path}: ${before.get(path)} → ${value}`);
  }
  for (const [path, value] of before) if (!after.has(path)) lines.push(`- ${path}: ${value}`);
  return lines;
}

if (pods) {
  out.section('pods');
  if (!pods.ok) out.failure('pods', pods);
  else {
    const items = pods.value.items;
    const current = history[0]?.template?.metadata?.labels?.['pod-template-hash'];
    const byState = new Map();
    for (const p of items) {
      const waiting = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]
        .map(
          (s) =>
            s.state?.waiting?.reason ??
            (s.state?.terminated && !s.ready ? s.state.terminated.reason : undefined),
        )
        .find(Boolean);
      const state = `${p.status?.phase ?? '?'}${waiting ? `/${waiting}` : ''}${p.metadata?.deletionTimestamp ? '/Terminating' : ''}`;
      const revision =
        current && p.metadata?.labels?.['pod-template-hash'] === current ? ' (newest revision)' : '';
      const key = `${state}${revision}`;
      byState.set(key, [...(byState.get(key) ?? []), p.metadata.name]);
    }
    if (items.length === 0) out.line('  none');
    for (const [state, names] of byState)
      out.line(`  ${names.length} ${state}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`);
  }
}

if (jobs) {
  out.section('jobs of this CronJob (newest first)');
  if (!jobs.ok) out.failure('jobs', jobs);
  else
    for (const job of owned(jobs.value.items)
      .sort((a, b) =>
        String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
      )
      .slice(0, 6)) {
      const done = (job.status?.conditions ?? []).find((c) => c.status === 'True');
      out.line(
        `  ${job.metadata.name} started ${age(job.status?.startTime)} ago: ${done ? `${done.type} ${done.reason ?? ''}` : 'running'}` +
          `, succeeded ${job.status?.succeeded ?? 0} failed ${job.status?.failed ?? 0}`,
      );
    }
}

out.section('autoscaling and disruption');
if (!hpas.ok) out.failure('HorizontalPodAutoscalers', hpas);
else {
  const mine = hpas.value.items.filter(
    (h) => h.spec?.scaleTargetRef?.kind === target.kind && h.spec?.scaleTargetRef?.name === name,
  );
  if (mine.length === 0) out.line('  HPA: none targets this workload');
  for (const h of mine) {
    const metrics = (h.status?.currentMetrics ?? []).map((m) => {
      const r = m.resource ?? m.containerResource;
      if (r)
        return `${r.name} ${r.current?.averageUtilization ?? r.current?.averageValue ?? '?'}${r.current?.averageUtilization !== undefined ? '%' : ''}`;
      return m.type;
    });
    const targets = (h.spec?.metrics ?? []).map((m) => {
      const r = m.resource ?? m.containerResource;
      return r
        ? `${r.name} ${r.target?.averageUtilization ?? r.target?.averageValue ?? '?'}${r.target?.averageUtilization !== undefined ? '%' : ''}`
        : m.type;
    });
    out.line(
      `  HPA ${h.metadata.name}: min ${h.spec?.minReplicas ?? 1} max ${h.spec?.maxReplicas}, current ${h.status?.currentReplicas ?? '?'} ` +
        `desired ${h.status?.desiredReplicas ?? '?'}; target ${targets.join(', ') || '?'}; current ${metrics.join(', ') || 'unknown'}`,
    );
    for (const c of h.status?.conditions ?? [])
      if (c.status !== 'True' || c.type === 'ScalingLimited')
        out.line(`    condition ${c.type}=${c.status} ${c.reason ?? ''}: ${oneLine(c.message ?? '')}`);
  }
}
const labels = template?.metadata?.labels ?? {};
const selects = (sel) =>
  Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (sel?.matchExpressions ?? []).every((e) =>
    e.operator === 'In'
      ? e.values.includes(labels[e.key])
      : e.operator === 'NotIn'
        ? !e.values.includes(labels[e.key])
        : e.operator === 'Exists'
          ? e.key in labels
          : !(e.key in labels),
  );
if (!pdbs.ok) out.failure('PodDisruptionBudgets', pdbs);
else {
  const mine = pdbs.value.items.filter((p) => selects(p.spec?.selector));
  if (mine.length === 0) out.line('  PDB: none selects these pods');
  for (const p of mine)
    out.line(
      `  PDB ${p.metadata.name}: ${p.spec?.minAvailable !== undefined ? `minAvailable ${p.spec.minAvailable}` : `maxUnavailable ${p.spec?.maxUnavailable}`}` +
        `, healthy ${p.status?.currentHealthy ?? '?'}/${p.status?.desiredHealthy ?? '?'} wanted, disruptionsAllowed ${p.status?.disruptionsAllowed ?? '?'}`,
    );
}

out.section(`namespace ${namespace}: quotas and limit ranges`);
if (!quotas.ok) out.failure('ResourceQuotas', quotas);
else {
  if (quotas.value.items.length === 0) out.line('  ResourceQuota: none');
  for (const q of quotas.value.items) {
    const hard = q.status?.hard ?? q.spec?.hard ?? {};
    const used = q.status?.used ?? {};
    const parts = Object.keys(hard).map((k) => {
      const full = quantity(used[k]) >= quantity(hard[k]) * 0.9 ? ' (!)' : '';
      return `${k} ${used[k] ?? '0'}/${hard[k]}${full}`;
    });
    out.line(`  ResourceQuota ${q.metadata.name}: ${parts.join(', ')}`);
  }
}
if (!limitRanges.ok) out.failure('LimitRanges', limitRanges);
else {
  if (limitRanges.value.items.length === 0) out.line('  LimitRange: none');
  for (const l of limitRanges.value.items)
    for (const item of l.spec?.limits ?? []) {
      const fmt = (what) =>
        item[what]
          ? ` ${what} ${Object.entries(item[what])
              .map(([k, v]) => `${k}=${v}`)
              .join(',')}`
          : '';
      out.line(
        `  LimitRange ${l.metadata.name} ${item.type}:${fmt('min')}${fmt('max')}${fmt('default')}${fmt('defaultRequest')}${fmt('maxLimitRequestRatio')}`,
      );
    }
}

/** A Kubernetes quantity as a number, for the ≥90 % flag only. */
function quantity(value) {
  if (value === undefined) return 0;
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(value));
  if (!match) return Number(value) || 0;
  const units = {
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return Number(match[1]) * (units[match[2]] ?? 1);
}

out.section('configuration referenced (names and keys only; never values)');
await printConfigReferences(
  out,
  namespace,
  podSpec,
  history[0]?.created ?? workload.metadata?.creationTimestamp,
);

out.section('events');
printEvents(out, `${target.kind} ${name}`, ownEvents);
if (history[0] && target.kind === 'Deployment')
  printEvents(
    out,
    `ReplicaSet ${history[0].name} (newest)`,
    await eventsFor(namespace, 'ReplicaSet', history[0].name, 10),
  );
out.print();
