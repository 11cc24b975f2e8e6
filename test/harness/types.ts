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
}

export type HarnessService = keyof HarnessInfo;

declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessInfo;
  }
}
