/**
 * The storm from the incident-handling acceptance: 10 Deployments crash-looping with 100 pods each, plus a node
 * going NotReady that takes 50 pods (of other workloads) with it. Expected: 11 incidents, 11 queued triages.
 */
import type { Fault } from '../../core/domain/fault.ts';
import type { FaultIntake, IntakeOutcome } from '../../core/services/fault-intake.ts';
import { concurrently } from '../fixtures/concurrently.ts';
import { makeFault, t0 } from '../fixtures/domain.ts';

export const stormNode = 'node-7';

export interface Storm {
  readonly nodeFault: Fault;
  readonly deploymentFaults: readonly Fault[];
  readonly nodePodFaults: readonly Fault[];
  /** Which fingerprint each fault must end up in. */
  readonly expectedFingerprint: ReadonlyMap<string, string>;
}

function pod(deployment: string, index: number, node: string, cls: Fault['class'], namespace: string): Fault {
  const replicaSet = `${deployment}-5c7d9`;
  const name = `${replicaSet}-${String(index).padStart(3, '0')}`;
  return makeFault({
    faultId: `${cls}-${namespace}-${name}`,
    class: cls,
    resource: { apiVersion: 'v1', kind: 'Pod', namespace, name, uid: `uid-${namespace}-${name}` },
    context: {
      reason: cls,
      node,
      owners: [
        { kind: 'ReplicaSet', name: replicaSet },
        { kind: 'Deployment', name: deployment },
      ],
    },
    observedAt: t0,
  });
}

export function buildStorm(): Storm {
  const expected = new Map<string, string>();
  const deploymentFaults: Fault[] = [];
  for (let d = 0; d < 10; d += 1) {
    for (let p = 0; p < 100; p += 1) {
      const fault = pod(`api-${d}`, p, `node-${p % 5}`, 'CrashLoopBackOff', 'shop');
      deploymentFaults.push(fault);
      expected.set(fault.faultId, `workload:Deployment/shop/api-${d}`);
    }
  }
  const nodeFault = makeFault({
    faultId: `NodeNotReady-${stormNode}`,
    class: 'NodeNotReady',
    severity: 'critical',
    resource: { apiVersion: 'v1', kind: 'Node', name: stormNode, uid: 'uid-node-7' },
    context: { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
    observedAt: t0,
  });
  expected.set(nodeFault.faultId, `node:${stormNode}`);
  const nodePodFaults: Fault[] = [];
  for (let p = 0; p < 50; p += 1) {
    const fault = pod(`worker-${p % 5}`, p, stormNode, 'WorkloadUnavailable', 'batch');
    nodePodFaults.push(fault);
    expected.set(fault.faultId, `node:${stormNode}`);
  }
  return { nodeFault, deploymentFaults, nodePodFaults, expectedFingerprint: expected };
}

/** A deterministic shuffle, so a failing order can be replayed. */
export function shuffle<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The node goes NotReady first (as the node controller reports it before its pods fail); the rest interleave. */
export function stormOrder(storm: Storm): Fault[] {
  return [storm.nodeFault, ...shuffle([...storm.deploymentFaults, ...storm.nodePodFaults])];
}

export function ingestConcurrently(
  intake: FaultIntake,
  faults: readonly Fault[],
  concurrency: number,
): Promise<IntakeOutcome[]> {
  return concurrently(faults, concurrency, (fault) => intake.ingest(fault));
}
