/** Hands a run's workspace to the sandbox's unprivileged user (Watchkeeper, as root, still reads it after). */
import { lchownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function chownTreeSync(dir: string, uid: number, gid: number): void {
  lchownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTreeSync(path, uid, gid);
    else lchownSync(path, uid, gid);
  }
}
