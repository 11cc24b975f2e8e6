/**
 * Action values as Watchkeeper's buttons and menus make them: `<id>` or `<id>|<choice>`. Anyone who can sign
 * a request can send any value, so each is checked against what the action offers before it reaches a lookup
 * (`__proto__` as a mute duration once threw).
 */
export type ActionValueRule =
  /** An incident or request id only. */
  | 'id'
  /** An id and a profile-like name (checked against the configured ones by the action). */
  | 'id|name'
  /** An id and one of these choices. */
  | { readonly choices: readonly string[] };

export type ActionValue =
  | { readonly ok: true; readonly id: string; readonly choice?: string }
  | { readonly ok: false; readonly problem: string };

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const namePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function parseActionValue(raw: string | undefined, rule: ActionValueRule): ActionValue {
  const parts = (raw ?? '').split('|');
  const [id = '', choice] = parts;
  if (!idPattern.test(id)) return { ok: false, problem: 'not an id' };
  if (rule === 'id')
    return parts.length === 1 ? { ok: true, id } : { ok: false, problem: 'unexpected choice' };
  if (parts.length !== 2 || choice === undefined) return { ok: false, problem: 'no choice' };
  const allowed = rule === 'id|name' ? namePattern.test(choice) : rule.choices.includes(choice);
  return allowed ? { ok: true, id, choice } : { ok: false, problem: 'not an offered choice' };
}
