/** Who or what cancelled a run, in Slack words: a person as a mention, anything else in plain words. */
import type { CancelledBy, TriageRun } from '../../../core/domain/run.ts';
import { codeText, escapeBounded } from './escape.ts';

/** Slack user ids only: anything else (a forged or odd id) is shown as inert text, never as a mention. */
const slackUserId = /^[UW][A-Z0-9]{2,20}$/;

export function cancelledByText(by: CancelledBy): string {
  switch (by.kind) {
    case 'user':
      return slackUserId.test(by.userId) ? `<@${by.userId}>` : codeText(by.userId, 40);
    case 'resolved':
      return `the incident resolving (${escapeBounded(by.detail, 200)})`;
    case 'superseded':
      return `a newer run, ${codeText(by.runId, 60)} (superseded)`;
    case 'lease_lost':
      return 'lease lost (another Watchkeeper took the work over)';
    case 'shutdown':
      return 'shutdown (Watchkeeper stopped; the run is queued again)';
  }
}

/** The card's line about a cancelled (or stopping) run, if its latest run was cancelled. */
export function cancelledRunNote(run: TriageRun | undefined): string | undefined {
  if (!run?.cancellation) return undefined;
  const who = cancelledByText(run.cancellation.by);
  if (run.status === 'cancelled')
    return `:octagonal_sign: Triage by ${codeText(run.agent)} cancelled by ${who}`;
  if (run.status === 'starting' || run.status === 'running')
    return `:octagonal_sign: Stopping the triage by ${codeText(run.agent)}: cancelled by ${who}`;
  return undefined;
}
