/**
 * A `patch` action may change only container resources, limits, env and probes. Anything else in the patch
 * (the image, the command, volumes, security context, another object's fields) is refused with what was found.
 */
import type { RemediationAction } from '../remediation.ts';

const containerFields = new Set([
  'name',
  'resources',
  'env',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
]);
const jsonPath =
  /^\/spec\/template\/spec\/containers\/\d+\/(resources|env|livenessProbe|readinessProbe|startupProbe)(\/.*)?$/;

/** `undefined` when the patch stays inside what may change; otherwise what is wrong with it. */
export function patchProblem(action: Extract<RemediationAction, { type: 'patch' }>): string | undefined {
  return action.patchType === 'json' ? jsonPatchProblem(action.patch) : mergePatchProblem(action.patch);
}

function jsonPatchProblem(patch: unknown): string | undefined {
  if (!Array.isArray(patch) || patch.length === 0)
    return 'a JSON patch must be a non-empty array of operations';
  for (const [i, op] of patch.entries()) {
    const { op: verb, path } = (op ?? {}) as { op?: unknown; path?: unknown };
    if (verb !== 'add' && verb !== 'replace' && verb !== 'remove')
      return `operation ${i}: only add, replace and remove are allowed, not ${JSON.stringify(verb)}`;
    if (typeof path !== 'string' || !jsonPath.test(path))
      return `operation ${i}: ${JSON.stringify(path)} is outside container resources, env and probes`;
  }
  return undefined;
}

function mergePatchProblem(patch: unknown): string | undefined {
  const containers = dig(patch, ['spec', 'template', 'spec', 'containers']);
  if (!Array.isArray(containers) || containers.length === 0)
    return 'a strategic-merge patch must be { spec: { template: { spec: { containers: [...] } } } }';
  for (const [path, keys] of [
    ['', Object.keys(patch as object)],
    ['spec', Object.keys(dig(patch, ['spec']) as object)],
    ['spec.template', Object.keys(dig(patch, ['spec', 'template']) as object)],
    ['spec.template.spec', Object.keys(dig(patch, ['spec', 'template', 'spec']) as object)],
  ] as const) {
    const extra = keys.filter(
      (key) =>
        key !==
        (
          {
            '': 'spec',
            spec: 'template',
            'spec.template': 'spec',
            'spec.template.spec': 'containers',
          } as const
        )[path],
    );
    if (extra.length > 0)
      return `the patch changes ${extra.map((k) => (path ? `${path}.${k}` : k)).join(', ')}, which is not allowed`;
  }
  for (const [i, container] of (containers as unknown[]).entries()) {
    if (
      typeof container !== 'object' ||
      container === null ||
      typeof (container as { name?: unknown }).name !== 'string'
    )
      return `container ${i}: each container in the patch needs its name`;
    const extra = Object.keys(container).filter((key) => !containerFields.has(key));
    if (extra.length > 0)
      return `container ${i}: only resources, env and probes may change, not ${extra.join(', ')}`;
  }
  return undefined;
}

function dig(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
