/** Who caused a change: recorded with every transition and audit entry. */
export type Actor =
  | { readonly type: 'system'; readonly component: string }
  | { readonly type: 'slack-user'; readonly userId: string }
  | { readonly type: 'fault-source'; readonly source: string };

export function describeActor(actor: Actor): string {
  switch (actor.type) {
    case 'system':
      return `system:${actor.component}`;
    case 'slack-user':
      return `slack:${actor.userId}`;
    case 'fault-source':
      return `source:${actor.source}`;
  }
}
