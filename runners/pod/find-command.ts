/** Whether the agent CLI is in the image, checked before anything starts so the run fails with a clear reason. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The command's path: itself when it names a file, else the first executable of that name on PATH. */
export function findCommand(command: string, path = process.env.PATH ?? ''): string | undefined {
  if (command.includes('/')) return executable(resolve(command)) ? resolve(command) : undefined;
  return path
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, command))
    .find(executable);
}
