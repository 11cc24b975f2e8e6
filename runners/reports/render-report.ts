/** Markdown → HTML for people to read in a browser: marked, then an allow-list sanitizer (no scripts, no styles). */
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const allowed: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'iframe'), 'h1', 'h2', 'img'],
  allowedAttributes: { a: ['href', 'title'], code: ['class'], img: ['alt'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  disallowedTagsMode: 'escape',
};

export function renderReportHtml(markdown: string, title: string): string {
  const body = sanitizeHtml(marked.parse(markdown, { async: false, gfm: true }), allowed);
  const safeTitle = sanitizeHtml(title, { allowedTags: [], allowedAttributes: {} });
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${safeTitle}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '</head><body>',
    body,
    '</body></html>',
    '',
  ].join('\n');
}
