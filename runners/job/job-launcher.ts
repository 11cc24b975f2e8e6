/**
 * Triage runs as Kubernetes Jobs: the prompt and incident go in a ConfigMap; the run's minted kubeconfig, the
 * profile's secrets and a presigned upload URL for the report go in a Secret; the agent uploads `report.md` and
 * its transcript; the Job's state (driven by its pod) ends the run; a restarted Watchkeeper re-attaches to a Job
 * that still runs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { profileEnv, type AgentProfile } from '../../core/domain/agent-profile.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { LaunchRequest, RunResult, TriageLauncher } from '../../core/ports/triage-launcher.ts';
import { outcomeToResult } from '../local/local-process-launcher.ts';
import { runKubeconfig } from '../tokens/run-kubeconfig.ts';
import { mintRunToken, type RunTokenSettings } from '../tokens/run-token.ts';
import { keepReport, runPrefix } from '../triage/keep-report.ts';
import { prepareWorkspace } from '../workspace/prepare-workspace.ts';
import { createRunJob, followRunJob, type JobRef } from './job-sandbox.ts';

export interface JobLauncherOptions {
  readonly profiles: Readonly<Record<string, AgentProfile>>;
  readonly kube: { readonly config: KubeConfig; readonly credentials: RunTokenSettings };
  /** Where run Jobs are created. */
  readonly namespace: string;
  readonly store: Store;
  readonly reports: ReportStore;
  readonly logger: Logger;
  readonly resources?: { readonly cpu: string; readonly memory: string };
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

const jobName = (runId: string) =>
  `wk-run-${runId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
const uploads = (incidentId: string, runId: string) => ({
  report: `${runPrefix(incidentId, runId)}/upload/report.md`,
  transcript: `${runPrefix(incidentId, runId)}/upload/transcript.log`,
});

export function createJobLauncher(options: JobLauncherOptions): TriageLauncher {
  async function collect(
    request: Pick<LaunchRequest, 'run' | 'incident'>,
    result: RunResult,
  ): Promise<RunResult> {
    if (!result.ok) return result;
    const keys = uploads(request.incident.id, request.run.id);
    const report = await options.reports.get(keys.report);
    if (!report) {
      return {
        ok: false,
        failure: {
          reason: 'invalid_report',
          detail: `the agent uploaded no report (expected at ${keys.report})`,
        },
      };
    }
    const transcript = await options.reports.get(keys.transcript);
    const text = (body: Uint8Array | undefined) => Buffer.from(body ?? []).toString('utf8');
    return keepReport(options, request, text(report.body), text(transcript?.body));
  }

  return {
    runner: 'kubernetes-job',
    async launch(request) {
      const { run, incident, budget } = request;
      const profile = options.profiles[run.agent];
      if (!profile?.image) {
        const why = profile
          ? `agent profile "${run.agent}" has no image for the Job runner`
          : `no agent profile "${run.agent}"`;
        return { ok: false, failure: { reason: 'sandbox_error', detail: why } };
      }
      const deadline = new Date(Date.now() + budget.wallTimeMs);
      const token = await mintRunToken(options.kube.config, options.kube.credentials, {
        id: run.id,
        deadline,
      });
      const scratch = await mkdtemp(join(tmpdir(), 'wk-job-'));
      try {
        const kubeconfig = runKubeconfig(options.kube.config, token.token);
        const workspace = await prepareWorkspace({
          root: scratch,
          run,
          incident,
          faults: [],
          budget,
          skillsPath: profile.skillsPath,
          access: { kubeconfig, summary: 'see the token in KUBECONFIG', expiresAt: token.expiresAt },
        });
        const keys = uploads(incident.id, run.id);
        const ttl = Math.ceil(budget.wallTimeMs / 1000) + 600;
        const ref: JobRef = await createRunJob(options.kube.config, {
          name: jobName(run.id),
          namespace: options.namespace,
          runId: run.id,
          incidentId: incident.id,
          image: profile.image,
          command: [profile.command],
          args: [...profile.args],
          deadlineSeconds: Math.ceil(budget.wallTimeMs / 1000),
          ttlSeconds: 3600,
          resources: options.resources ?? { cpu: '1', memory: '1Gi' },
          inputs: {
            'prompt.md': workspace.prompt,
            'incident.json': await readFile(workspace.incidentFile, 'utf8'),
          },
          secretEnv: {
            ...profileEnv(profile),
            WATCHKEEPER_REPORT_UPLOAD_URL: await options.reports.uploadLink(
              keys.report,
              'text/markdown',
              ttl,
            ),
            WATCHKEEPER_TRANSCRIPT_UPLOAD_URL: await options.reports.uploadLink(
              keys.transcript,
              'text/plain',
              ttl,
            ),
          },
          kubeconfig,
          ...(options.nodeSelector && { nodeSelector: options.nodeSelector }),
        });
        await request.onSandbox({ kind: 'kubernetes-job', namespace: ref.namespace, name: ref.name });
        const outcome = (await followRunJob(options.kube.config, ref, request.signal)) ?? {
          kind: 'not_started' as const,
          error: `the Job ${ref.namespace}/${ref.name} disappeared`,
        };
        return await collect(request, await outcomeToResult(outcome, scratch, budget.wallTimeMs));
      } finally {
        await token.revoke().catch(() => undefined);
        await rm(scratch, { recursive: true, force: true });
      }
    },
    async reattach(run, signal) {
      if (run.sandbox?.kind !== 'kubernetes-job') return undefined;
      const outcome = await followRunJob(options.kube.config, run.sandbox, signal);
      if (!outcome) return undefined;
      const incident = await options.store.incidents.get(run.incidentId);
      if (!incident) return undefined;
      options.logger.info(
        { runId: run.id, job: run.sandbox.name },
        're-attached to a triage Job that outlived its Watchkeeper',
      );
      return collect({ run, incident }, await outcomeToResult(outcome, tmpdir(), 0));
    },
  };
}
