/**
 * Reads what Watchkeeper handed the pod: the PodRunSpec (ConfigMap) and the secret files (Secret mount), and
 * turns them into the inputs of the same workspace and invocation code a local run uses.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { Incident } from '../../core/domain/incident.ts';
import { Secret } from '../../core/domain/secret.ts';
import { subjects } from '../../core/ports/subjects.ts';
import {
  parsePodRunSpec,
  podPaths,
  podSecretFiles,
  PodUploadUrlsSchema,
  type PodRunSpec,
  type PodUploadUrls,
} from './pod-run-spec.ts';

/** Where the runner finds its inputs; the defaults are the pod's mounts, the variables serve local test runs. */
export interface PodLocations {
  readonly specFile: string;
  readonly secretsDir: string;
  readonly workspaceRoot: string;
}

export function podLocations(env: NodeJS.ProcessEnv = process.env): PodLocations {
  return {
    specFile: env.WATCHKEEPER_POD_SPEC ?? podPaths.spec,
    secretsDir: env.WATCHKEEPER_POD_SECRETS ?? podPaths.secrets,
    workspaceRoot: env.WATCHKEEPER_POD_WORKSPACE ?? podPaths.workspace,
  };
}

export interface PodInputs {
  readonly spec: PodRunSpec;
  readonly profile: AgentProfile;
  readonly incident: Incident;
  readonly kubeconfig?: string;
  readonly natsCreds?: string;
  readonly uploads: PodUploadUrls;
}

/** A spec or secret file that is missing or wrong: the runner exits with `specInvalid` and this reason. */
export class PodInputError extends Error {}

async function optionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PodInputError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

async function requiredFile(path: string, what: string): Promise<string> {
  const text = await optionalFile(path);
  if (text === undefined) throw new PodInputError(`${what} is missing: no file ${path}`);
  return text;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PodInputError(`${what} is not JSON: ${(error as Error).message}`);
  }
}

export async function readPodInputs(locations: PodLocations): Promise<PodInputs> {
  const parsed = parsePodRunSpec(
    parseJson(
      await requiredFile(locations.specFile, 'the pod run spec'),
      `the pod run spec ${locations.specFile}`,
    ),
  );
  if (!parsed.ok) throw new PodInputError(parsed.reason);
  const { spec } = parsed;
  const expectedSubject = subjects.runProgress(spec.run.id);
  if (spec.progress.subject !== expectedSubject)
    throw new PodInputError(
      `pod run spec field progress.subject: expected ${expectedSubject} for run ${spec.run.id}, got ${spec.progress.subject}`,
    );
  const secret = (name: string) => join(locations.secretsDir, name);

  const secretEnv: Record<string, Secret> = {};
  for (const name of spec.profile.secretEnvNames ?? []) {
    const file = `${podSecretFiles.secretEnvPrefix}${name}`;
    secretEnv[name] = new Secret(await requiredFile(secret(file), `the secret environment variable ${name}`));
  }
  const apiKey = spec.profile.hasApiKey
    ? new Secret((await requiredFile(secret(podSecretFiles.apiKey), 'the API key')).trim())
    : undefined;
  const { secretEnvNames: _names, hasApiKey: _hasKey, ...plain } = spec.profile;
  const profile: AgentProfile = {
    ...plain,
    ...(spec.profile.secretEnvNames && { secretEnv }),
    ...(apiKey && { apiKey }),
  };

  const kubeconfig = await optionalFile(secret(podSecretFiles.kubeconfig));
  if (spec.access && kubeconfig === undefined)
    throw new PodInputError(
      `pod run spec field access: the run has cluster access but the Secret has no ${podSecretFiles.kubeconfig}`,
    );
  const natsCreds = await optionalFile(secret(podSecretFiles.natsCreds));
  const uploadsFile = secret(podSecretFiles.uploads);
  const uploads = PodUploadUrlsSchema.safeParse(
    parseJson(await requiredFile(uploadsFile, 'the upload URLs'), `the upload URLs ${uploadsFile}`),
  );
  if (!uploads.success) {
    const issue = uploads.error.issues[0];
    throw new PodInputError(
      `upload URLs field ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  // The prompt and incident.json need the incident's identity only; its state is Watchkeeper's business.
  const incident: Incident = { ...spec.incident, state: { status: 'triaging', runId: spec.run.id } };
  return {
    spec,
    profile,
    incident,
    ...(spec.access && kubeconfig !== undefined && { kubeconfig }),
    ...(natsCreds !== undefined && { natsCreds }),
    uploads: uploads.data,
  };
}
