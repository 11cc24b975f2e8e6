/**
 * Every string that came from a cluster, an agent or a person is untrusted in Slack: `<!channel>`, `<@U…>`,
 * `<https://…|label>` and `@here` would notify people or disguise links, and `*_~\`` would restyle the card.
 * These helpers make such text inert; builders never put a dynamic string into a message without one of them.
 */

/** Slack's own entity escaping for mrkdwn text, plus broken-up bare mentions. */
export function escapeText(text: string): string {
  return defuseBareMentions(text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
}

/** Untrusted text shown verbatim: escaped and inside a code span, so no formatting applies. */
export function codeText(text: string): string {
  const body = escapeText(oneLine(text).replaceAll('`', 'ˋ'));
  return body === '' ? '' : `\`${body}\``;
}

/**
 * Agent-written Markdown for a `markdown` block. Slack's markdown block is not documented to honour entity
 * escapes, so angle brackets become look-alikes, links show their target instead of hiding it, and raw HTML
 * cannot survive.
 */
export function safeMarkdown(markdown: string): string {
  const linked = markdown
    .replace(
      /!?\[([^\]\n]*)\]\(([^)\s]*)[^)]*\)/g,
      (_whole, label: string, url: string) => `${label} (\`${url.replaceAll('`', '')}\`)`,
    )
    .replaceAll('<', '‹')
    .replaceAll('>', '›');
  return defuseBareMentions(linked);
}

/** `@here`, `@channel` and `@everyone` typed as plain words notify in some clients: break them up. */
function defuseBareMentions(text: string): string {
  return text.replace(/@(here|channel|everyone)\b/gi, '@\u200b$1');
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts at `max` characters (by code point, never inside a surrogate pair), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
