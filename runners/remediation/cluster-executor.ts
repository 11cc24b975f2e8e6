/** RemediationExecutor on a real cluster: report actions, dry runs with Watchkeeper's identity, scoped execution. */
import { KubeConfig } from '@kubernetes/client-node';
import { formatResource } from '../../core/domain/resource.ts';
import type { RemediationExecutor } from '../../core/ports/remediation-executor.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import { latestReportMarkdown } from '../reports/latest-report.ts';
import { parseReport } from '../reports/parse-report.ts';
import { runKubeconfig } from '../tokens/run-kubeconfig.ts';
import { mergePermissions } from './action-permissions.ts';
import { applyAction } from './apply-action.ts';
import { mintExecutionCredential } from './execution-credentials.ts';
import { diffObjects, formatChanges } from './object-diff.ts';
import { verifyAction } from './verify-action.ts';

export function createClusterExecutor(deps: {
  readonly kubeconfig: KubeConfig;
  readonly store: Store;
  readonly reports: ReportStore;
  /** Where node actions' ServiceAccounts live (Watchkeeper's own namespace). */
  readonly homeNamespace: string;
  readonly verifyTimeoutMs: number;
}): RemediationExecutor {
  return {
    async proposedActions(incidentId) {
      const markdown = await latestReportMarkdown(deps, incidentId);
      if (markdown === undefined) return { actions: [], rejected: [] };
      const parsed = parseReport(markdown);
      if (!parsed.ok) return { actions: [], rejected: [{ index: 0, problem: parsed.problems.join('; ') }] };
      return {
        actions: parsed.report.actions,
        rejected: parsed.report.rejectedActions.map((r) => ({ index: r.index, problem: r.problem })),
      };
    },

    async dryRun(action) {
      const applied = await applyAction(deps.kubeconfig, action, { dryRun: true });
      if (action.type === 'delete_pod') return `${formatResource(action.target)} would be deleted`;
      return formatChanges(diffObjects(applied.before, applied.after));
    },

    async execute(request, signal) {
      let credential;
      try {
        credential = await mintExecutionCredential(deps.kubeconfig, {
          id: request.id,
          permissions: mergePermissions(request.actions),
          homeNamespace: deps.homeNamespace,
        });
      } catch (error) {
        return { ok: false, detail: `could not mint the execution credential: ${(error as Error).message}` };
      }
      try {
        const scoped = new KubeConfig();
        scoped.loadFromString(runKubeconfig(deps.kubeconfig, credential.token));
        for (const action of request.actions) {
          try {
            await applyAction(scoped, action, { dryRun: false });
          } catch (error) {
            return {
              ok: false,
              detail: `${action.type} on ${formatResource(action.target)} failed: ${(error as Error).message}`,
            };
          }
        }
        const seen: string[] = [];
        for (const action of request.actions) {
          const verified = await verifyAction(deps.kubeconfig, action, {
            timeoutMs: deps.verifyTimeoutMs,
            signal,
          });
          seen.push(verified.detail);
          if (!verified.ok)
            return {
              ok: false,
              detail: `applied, but ${verified.detail}`,
              verification: { ok: false, detail: seen.join('; ') },
            };
        }
        return {
          ok: true,
          detail: `applied as ${credential.username} and verified`,
          verification: { ok: true, detail: seen.join('; ') },
        };
      } finally {
        await credential.revoke().catch(() => undefined);
      }
    },
  };
}
