/** Why a shell command is refused (it changes the cluster, execs into a pod, …), or undefined when it may run. */
export function judgeCommand(command: unknown): string | undefined;
/** Why writing `path` is refused (outside the workspace), or undefined. */
export function judgeWrite(path: unknown, workspace: string): string | undefined;
/** Why `kubectl <args>` is refused, or undefined. */
export function judgeKubectlArguments(args: readonly string[]): string | undefined;
