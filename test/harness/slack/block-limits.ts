/** Slack's Block Kit limits the emulator enforces, as Slack answers them (`invalid_blocks`). */
const maxBlocks = 50;
const maxSectionText = 3_000;
const maxMarkdownText = 12_000;

export function checkBlocks(blocks: readonly unknown[]): string | undefined {
  if (blocks.length > maxBlocks) return `more than ${maxBlocks} blocks`;
  for (const [index, raw] of blocks.entries()) {
    const block = raw as { type?: string; text?: { text?: string } | string };
    const text = typeof block.text === 'string' ? block.text : (block.text?.text ?? '');
    if (block.type === 'section' && text.length > maxSectionText)
      return `block ${index}: section text longer than ${maxSectionText}`;
    if (block.type === 'markdown' && text.length > maxMarkdownText)
      return `block ${index}: markdown text longer than ${maxMarkdownText}`;
  }
  return undefined;
}
