/** Block Kit action ids: typed constants, matched by the Bolt handlers. Values carry only an incident id. */
export const actionIds = {
  rerun: 'wk_rerun',
  secondOpinion: 'wk_second_opinion',
  askFollowUp: 'wk_ask',
  resolve: 'wk_resolve',
  mute: 'wk_mute',
  proposeRemediation: 'wk_propose',
  approveRemediation: 'wk_approve',
  denyRemediation: 'wk_deny',
} as const;

export const viewIds = {
  askFollowUp: 'wk_ask_view',
} as const;

/** The follow-up modal's input, by block and action id. */
export const askInput = { block: 'wk_question', action: 'wk_question_text' } as const;

/** Mute durations offered on the card, by option value. */
export const muteDurations: Readonly<Record<string, { readonly label: string; readonly ms: number }>> = {
  '1h': { label: '1 hour', ms: 3_600_000 },
  '8h': { label: '8 hours', ms: 8 * 3_600_000 },
  '24h': { label: '24 hours', ms: 24 * 3_600_000 },
  '7d': { label: '7 days', ms: 7 * 24 * 3_600_000 },
};
