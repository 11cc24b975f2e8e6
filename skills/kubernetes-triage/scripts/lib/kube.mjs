// What the summary scripts share: bounded, read-only kubectl calls (get and logs only, each with a request timeout
// and a hard kill), and output that is cut to a sane size. A refused call is reported once as a constraint and
// never retried. Plain JavaScript with no dependencies: it runs in the agent's workspace.
import { execFile } from 'node:child_process';

export const requestTimeout = '10s';
const hardTimeoutMs = 15_000;
const maxOutputBytes = 8 * 1024 * 1024;
export const lineWidth = 240;

/** The subcommands these scripts may run; anything else is a bug in the script, refused before it runs. */
const readOnlyVerbs = new Set(['get', 'logs']);

/** Runs kubectl; `{ ok, stdout }` or `{ ok: false, kind, message }` (kind: forbidden | notfound | timeout | error). */
export function kubectl(args) {
  if (!readOnlyVerbs.has(args[0])) throw new Error(`kubectl ${args[0]} is not a read-only call`);
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      [...args, `--request-timeout=${requestTimeout}`],
      { timeout: hardTimeoutMs, maxBuffer: maxOutputBytes, env: process.env },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        const message = oneLine(String(stderr || error.message));
        const kind = /forbidden/i.test(message)
          ? 'forbidden'
          : /not ?found/i.test(message)
            ? 'notfound'
            : error.killed || /timeout|deadline/i.test(message)
              ? 'timeout'
              : 'error';
        resolve({ ok: false, kind, message });
      },
    );
  });
}

/** `kubectl get … -o json`, parsed; the failure as for `kubectl`. */
export async function getJson(args) {
  const result = await kubectl(['get', ...args, '-o', 'json']);
  if (!result.ok) return result;
  try {
    return { ok: true, value: JSON.parse(result.stdout) };
  } catch (error) {
    return { ok: false, kind: 'error', message: `kubectl printed no JSON: ${error.message}` };
  }
}

export function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

/**
 * One line, at most about `width` characters, with how much was cut from its middle: the start says what failed
 * and the end usually says why (error chains wrap: "failed to pull …: failed to resolve …: connection refused").
 */
export function cut(text, width = lineWidth) {
  const line = String(text).replace(/[\r\t]/g, ' ');
  if (line.length <= width) return line;
  const head = Math.ceil(width * 0.6);
  const tail = width - head;
  return `${line.slice(0, head)} …(${line.length - width} chars cut)… ${line.slice(-tail)}`;
}

/** Collects output lines with a total cap, so one call never floods the agent's context. */
export function output(maxLines = 400) {
  const lines = [];
  let dropped = 0;
  const add = (text = '') => {
    for (const line of String(text).split('\n')) {
      if (lines.length < maxLines) lines.push(cut(line));
      else dropped += 1;
    }
  };
  return {
    section: (title) => add(`== ${title}`),
    line: add,
    /** A failed call: forbidden calls become a constraint line to record in the report. */
    failure: (what, result) =>
      add(
        result.kind === 'forbidden'
          ? `  FORBIDDEN ${what}: record it under constraints; do not retry (${result.message})`
          : `  (${what}: ${result.kind}: ${result.message})`,
      ),
    print: () => {
      if (dropped > 0) lines.push(`… ${dropped} more lines cut (output capped at ${maxLines} lines)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  };
}

export function age(timestamp, now = Date.now()) {
  if (!timestamp) return '?';
  const seconds = Math.max(0, Math.round((now - new Date(timestamp).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** Events about one object, newest last, at most `limit`. */
export async function eventsFor(namespace, kind, name, limit = 15) {
  const selector = `involvedObject.kind=${kind},involvedObject.name=${name}`;
  const result = await getJson(['events', '-n', namespace, '--field-selector', selector]);
  if (!result.ok) return result;
  const items = result.value.items
    .map((event) => ({
      type: event.type,
      reason: event.reason,
      message: oneLine(event.message ?? ''),
      count: event.count ?? event.series?.count ?? 1,
      last: event.lastTimestamp ?? event.eventTime ?? event.series?.lastObservedTime ?? event.firstTimestamp,
    }))
    .sort((a, b) => new Date(a.last ?? 0).getTime() - new Date(b.last ?? 0).getTime());
  const folded = foldRepeats(items);
  return { ok: true, value: folded.slice(-limit), total: folded.length };
}

/** Generated pod names (`api-867f4ddd8b-zqph5`) make repeats of one event look different; fold them into one. */
function foldRepeats(items) {
  const generated = /\b[a-z0-9]([-a-z0-9]*[a-z0-9])?-[a-z0-9]{5}\b/g;
  const byKey = new Map();
  for (const item of items) {
    const key = `${item.type}|${item.reason}|${item.message.replace('(combined from similar events): ', '').replace(generated, '*')}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.count += item.count;
      seen.last = item.last;
      seen.message = item.message;
      byKey.delete(key);
      byKey.set(key, seen);
    } else byKey.set(key, { ...item });
  }
  return [...byKey.values()];
}

export function printEvents(out, label, result) {
  if (!result.ok) return out.failure(`events of ${label}`, result);
  if (result.value.length === 0) return out.line(`  ${label}: no events (events expire after about an hour)`);
  out.line(
    `  ${label}:${result.total > result.value.length ? ` (last ${result.value.length} of ${result.total})` : ''}`,
  );
  for (const e of result.value)
    out.line(`    ${age(e.last)} ago  ${e.type} ${e.reason} x${e.count}: ${e.message}`);
}

/** Names of the ConfigMaps and Secrets a pod spec refers to (never their values), with the keys it needs. */
export function configReferences(spec) {
  const configMaps = new Map();
  const secrets = new Map();
  const note = (map, ref, key, where) => {
    const name = ref?.name ?? ref?.secretName;
    if (!name) return;
    const entry = map.get(name) ?? { keys: new Set(), where: new Set(), optional: true };
    if (key) entry.keys.add(key);
    entry.where.add(where);
    entry.optional = entry.optional && ref.optional === true;
    map.set(name, entry);
  };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const env of c.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef;
      const secret = env.valueFrom?.secretKeyRef;
      if (cm) note(configMaps, cm, cm.key, `env ${env.name} of ${c.name}`);
      if (secret) note(secrets, secret, secret.key, `env ${env.name} of ${c.name}`);
    }
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef) note(configMaps, from.configMapRef, undefined, `envFrom of ${c.name}`);
      if (from.secretRef) note(secrets, from.secretRef, undefined, `envFrom of ${c.name}`);
    }
  }
  for (const volume of spec.volumes ?? []) {
    if (volume.configMap) note(configMaps, volume.configMap, undefined, `volume ${volume.name}`);
    if (volume.secret) note(secrets, volume.secret, undefined, `volume ${volume.name}`);
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap) note(configMaps, source.configMap, undefined, `projected volume ${volume.name}`);
      if (source.secret) note(secrets, source.secret, undefined, `projected volume ${volume.name}`);
    }
  }
  for (const pull of spec.imagePullSecrets ?? []) note(secrets, pull, undefined, 'imagePullSecrets');
  return { configMaps, secrets };
}

/** Reads the referenced ConfigMaps (names, keys, last change; never values) and prints what is missing. */
export async function printConfigReferences(out, namespace, spec, since) {
  const { configMaps, secrets } = configReferences(spec);
  if (configMaps.size === 0 && secrets.size === 0) return out.line('  none');
  const reads = await Promise.all(
    [...configMaps.keys()].map((name) => getJson(['configmap', name, '-n', namespace])),
  );
  [...configMaps.entries()].forEach(([name, entry], i) => {
    const read = reads[i];
    const where = [...entry.where].join(', ');
    if (!read.ok) {
      if (read.kind === 'notfound')
        return out.line(
          `  ConfigMap ${name}: MISSING${entry.optional ? ' (optional)' : ''} — used by ${where}`,
        );
      return out.failure(`ConfigMap ${name}`, read);
    }
    const keys = Object.keys({ ...read.value.data, ...read.value.binaryData });
    const missing = [...entry.keys].filter((key) => !keys.includes(key));
    const changed = lastChange(read.value.metadata);
    const after =
      since && changed && new Date(changed) > new Date(since) ? ' — CHANGED AFTER the pods started' : '';
    out.line(
      `  ConfigMap ${name}: keys ${keys.join(', ') || '(none)'}; last change ${age(changed)} ago${after}` +
        `${missing.length ? `; MISSING KEY(S) ${missing.join(', ')}` : ''} — used by ${where}`,
    );
  });
  for (const [name, entry] of secrets)
    out.line(
      `  Secret ${name}${entry.keys.size ? ` (keys ${[...entry.keys].join(', ')})` : ''}: not readable by this token; ` +
        `look for "secret not found" in events — used by ${[...entry.where].join(', ')}`,
    );
}

/** The latest time a field manager wrote the object (a ConfigMap's last change). */
export function lastChange(metadata) {
  const times = (metadata?.managedFields ?? []).map((f) => f.time).filter(Boolean);
  return times.sort().at(-1) ?? metadata?.creationTimestamp;
}

/** A namespace or object name as Kubernetes allows it; anything else (a `--flag`, a path) is refused. */
export function isName(value) {
  return typeof value === 'string' && value.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value);
}

export function usage(text) {
  process.stdout.write(`${text}\n`);
  process.exit(2);
}
