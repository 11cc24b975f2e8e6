/**
 * Follows files other processes append to, line by line, until stopped (then reads what is left). Several files
 * are read in the order given on every tick, so lines written to the first before lines written to the second
 * are handled first (an agent's stdout before its hooks' progress file).
 */
import { open } from 'node:fs/promises';

export interface FileFollower {
  /** Reads what is left and stops following. */
  stop(): Promise<void>;
}

export interface LineSource {
  readonly path: string;
  readonly onLine: (line: string) => Promise<void>;
}

function lineReader({ path, onLine }: LineSource) {
  let offset = 0;
  let partial = '';
  return async (final: boolean) => {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      for (;;) {
        const { size } = await handle.stat();
        if (size <= offset) break;
        const buffer = Buffer.alloc(Math.min(size - offset, 1_048_576));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') await onLine(line);
      }
      if (final && partial.trim() !== '') {
        const last = partial;
        partial = '';
        await onLine(last);
      }
    } finally {
      await handle.close();
    }
  };
}

export function followLines(sources: readonly LineSource[], everyMs = 200): FileFollower {
  const readers = sources.map(lineReader);
  const readMore = async (final: boolean) => {
    for (const read of readers) await read(final);
  };
  let reading: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    reading = reading.then(
      () => readMore(false),
      () => readMore(false),
    );
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await reading.catch(() => undefined);
      await readMore(true).catch(() => undefined);
    },
  };
}
