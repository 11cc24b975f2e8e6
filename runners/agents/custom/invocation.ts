/** `custom`: any command, its argument list expanded from placeholders; it may name a stream format to reuse. */
import { expandArgs } from '../../triage/agent-profile.ts';
import type { AgentInvocation, InvocationContext } from '../invocation-context.ts';
import { profileEnv } from '../../../core/domain/agent-profile.ts';

export function customInvocation(context: InvocationContext): Promise<AgentInvocation> {
  const { profile, workspace, run, budget } = context;
  return Promise.resolve({
    command: profile.command,
    args: expandArgs(profile.args, workspace, run, { ...budget, maxTurns: context.maxTurns }),
    env: {
      ...profileEnv(profile),
      ...(profile.model && { WATCHKEEPER_MODEL: profile.model }),
      ...(profile.baseUrl && { WATCHKEEPER_MODEL_BASE_URL: profile.baseUrl }),
      ...(profile.apiKey && { WATCHKEEPER_MODEL_API_KEY: profile.apiKey.reveal() }),
    },
    ...(profile.stream && { stream: profile.stream }),
  });
}
