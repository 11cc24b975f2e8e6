/**
 * Every string that came from a cluster, an agent or a person is untrusted in Slack: `<!channel>`, `<@U…>`,
 * `<https://…|label>` and `@here` would notify people or disguise links, and `*_~\`` would restyle the card.
 * These helpers make such text inert; builders never put a dynamic string into a message without one of them.
 */

/** Slack's own entity escaping for mrkdwn text, plus broken-up bare mentions. */
export function escapeText(text: string): string {
  return defuseBareMentions(text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
}

/**
 * escapeText bounded by the length Slack counts, the escaped one: 700 `&` are 3,500 characters once escaped,
 * so bounding before escaping lets a section pass Slack's 3,000-character limit (`invalid_blocks`).
 */
export function escapeBounded(text: string, max: number): string {
  return truncateEscaped(escapeText(text), max);
}

/**
 * Cuts already-escaped mrkdwn at `max` UTF-16 units (Slack's count), marking the cut, never inside an entity
 * (`&am…`) or a surrogate pair.
 */
export function truncateEscaped(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  let cut = escaped.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/&[a-z]{0,3}$/, '')}…`;
}

/** Untrusted text shown verbatim: escaped and inside a code span, so no formatting applies; `max` bounds it all. */
export function codeText(text: string, max?: number): string {
  const escaped = escapeText(oneLine(text).replaceAll('`', 'ˋ'));
  const body = max === undefined ? escaped : truncateEscaped(escaped, Math.max(1, max - 2));
  return body === '' ? '' : `\`${body}\``;
}

/**
 * Agent-written Markdown for a `markdown` block. Slack's markdown block is not documented to honour entity
 * escapes, so angle brackets become look-alikes and raw HTML cannot survive. No link may hide its target:
 * simple links and images become `label (\`target\`)`; whatever link syntax is left (nested brackets, an image
 * inside a link, reference links and their definitions) is broken up so it shows as the literal text it is.
 */
export function safeMarkdown(markdown: string): string {
  const linked = markdown
    .replace(
      /!?\[([^[\]\n]*)\]\(([^()\s]*)[^()\n]*\)/g,
      (_whole, label: string, url: string) => `${label} (\`${url.replaceAll('`', '')}\`)`,
    )
    // `](` opens an inline link or image, `]:` a reference definition, `][` a full reference: none survive
    .replace(/\](?=[(:[])/g, '] ')
    .replaceAll('<', '‹')
    .replaceAll('>', '›');
  return defuseBareMentions(linked);
}

/** Cuts Markdown at `max` characters at the last line break before it, so no construct is left half-open. */
export function truncateMarkdown(markdown: string, max: number): string {
  if (markdown.length <= max) return markdown;
  const cut = markdown.slice(0, max - 2);
  const line = cut.lastIndexOf('\n');
  return `${line > max / 2 ? cut.slice(0, line) : truncate(cut, max - 2)}\n…`;
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
