import 'vitest';

/** What the harness started, handed to tests with `inject('harness')`. Absent services were not requested. */
export interface HarnessInfo {
  /** Superuser URL of a real PostgreSQL server; tests create their own databases in it. */
  readonly postgres?: { readonly url: string };
  /** A real nats-server with JetStream. */
  readonly nats?: { readonly url: string };
  /** A real S3 server (versitygw) and a bucket created for the tests. */
  readonly s3?: {
    readonly endpoint: string;
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly bucket: string;
  };
  /** A real kube-apiserver (etcd, controller-manager, scheduler) with kwok fake nodes; admin kubeconfig. */
  readonly kube?: {
    readonly kubeconfigPath: string;
    readonly server: string;
    readonly nodes: readonly string[];
  };
  /**
   * A real node (kubelet + containerd + runc) joined to `kube`: containers really run. Labelled and tainted;
   * pods for it select the label and tolerate the taint (test/harness/real-node-helpers.ts does both).
   */
  readonly node?: {
    readonly name: string;
    readonly label: { readonly key: string; readonly value: string };
    readonly taint: { readonly key: string; readonly value: string; readonly effect: string };
    readonly images: Readonly<Record<'pause' | 'base' | 'healthy' | 'crasher' | 'memoryHog', string>>;
    /** The agent image triage Jobs run (deploy/docker/agent.Dockerfile's steps); absent when it was not built. */
    readonly agentImage?: string;
    readonly crashLoopMaxBackOff: string;
    readonly server: string;
    readonly containerdSocket: string;
  };
}

export type HarnessService = keyof HarnessInfo;

declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessInfo;
  }
}
