/**
 * Who may do what from Slack: each action lists Slack user ids, user group ids (members looked up with
 * `usergroups.users.list`, cached for five minutes), or `*` for everyone in the workspace.
 */
import type { WebClient } from '@slack/web-api';
import type { SlackAction } from '../config/slack-schema.ts';

export interface Authorizer {
  may(userId: string, action: SlackAction): Promise<boolean>;
  /** Whether the user is one of `principals` (user ids, user group ids, `*`). */
  isAmong(userId: string, principals: readonly string[]): Promise<boolean>;
}

const groupTtlMs = 5 * 60_000;

export function createAuthorizer(
  access: Readonly<Record<SlackAction, readonly string[]>>,
  client: Pick<WebClient, 'usergroups'>,
): Authorizer {
  const groups = new Map<string, { members: ReadonlySet<string>; until: number }>();

  async function members(groupId: string): Promise<ReadonlySet<string>> {
    const cached = groups.get(groupId);
    if (cached && cached.until > Date.now()) return cached.members;
    const answer = await client.usergroups.users.list({ usergroup: groupId });
    const found = new Set(answer.users ?? []);
    groups.set(groupId, { members: found, until: Date.now() + groupTtlMs });
    return found;
  }

  async function isAmong(userId: string, allowed: readonly string[]): Promise<boolean> {
    if (allowed.includes('*') || allowed.includes(userId)) return true;
    for (const principal of allowed.filter((p) => p.startsWith('S'))) {
      if ((await members(principal)).has(userId)) return true;
    }
    return false;
  }

  return {
    may: (userId, action) => isAmong(userId, access[action]),
    isAmong,
  };
}
