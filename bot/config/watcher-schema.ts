/** The `watcher:` section: the built-in Kubernetes fault watcher. */
import { z } from 'zod';

const names = z.array(z.string().min(1).max(253)).default([]);
const labels = z.record(z.string().min(1).max(317), z.string().max(63)).default({});

export const WatcherSchema = z
  .strictObject({
    /** `auto`: run when a kubeconfig is found (else say so once); `true`: required; `false`: off. */
    enabled: z.union([z.literal('auto'), z.boolean()]).default('auto'),
    /** Default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account. */
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    namespaces: z.strictObject({ include: names, exclude: names }).prefault({}),
    labels: z.strictObject({ include: labels, exclude: labels }).prefault({}),
    /** Conditions that only matter when they last (unavailable replicas, Pending PVCs) wait this long. */
    graceSeconds: z.number().int().min(0).max(86_400).default(120),
    /** A fault that clears and returns within this time is reported again only when it is up. */
    cooldownSeconds: z.number().int().min(0).max(86_400).default(60),
    /** Faults known only from Events (failing probes, mounts) resolve after this long without a new Event. */
    eventTtlSeconds: z.number().int().min(10).max(86_400).default(600),
    /**
     * A container's crash loop (exits with an error, CrashLoopBackOff, OOMKilled) is one fault until the container
     * has run ready, without restarting, this long.
     */
    healthySeconds: z.number().int().min(0).max(86_400).default(120),
    /** Attach the failing container's last log lines to crash faults (needs `get pods/log`). */
    fetchLogs: z.boolean().default(true),
  })
  .prefault({});

export type WatcherFile = z.infer<typeof WatcherSchema>;
