/** The live processes of a process group, read from /proc (what `ps -g` shows), for the cancellation tests. */
import { readdir, readFile } from 'node:fs/promises';

export async function processesInGroup(pgid: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command (which may hold spaces and parentheses): state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (pgrp !== undefined && Number(pgrp) === pgid && state !== 'Z') found.push(Number(entry));
  }
  return found;
}
