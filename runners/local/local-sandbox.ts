/**
 * How local agent runs are isolated (`agents.localSandbox`): bubblewrap namespaces by default, or `none` (a
 * process group and a minimal environment only), which the operator must choose explicitly.
 */
export type LocalSandbox =
  | {
      readonly kind: 'bubblewrap';
      /** The unprivileged user and group the agent runs as when Watchkeeper runs as root. */
      readonly uid: number;
      readonly gid: number;
      /** `host`: the host's network (the model API and the apiserver must be reachable); `none`: loopback only. */
      readonly network: 'host' | 'none';
      /** More host paths the agent may read (its CLI's install folder and node are found by themselves). */
      readonly readOnlyPaths: readonly string[];
    }
  | { readonly kind: 'none' };

export const defaultLocalSandbox: LocalSandbox = {
  kind: 'bubblewrap',
  uid: 65534,
  gid: 65534,
  network: 'host',
  readOnlyPaths: [],
};

/** The line cards and the start-up warning show when runs are not contained. */
export const unsandboxedWarning =
  'local agent runs are NOT sandboxed (agents.localSandbox: none): an agent can read everything Watchkeeper can';
