import { describe, expect, it } from 'vitest';
import type { Fault } from '../../../core/domain/fault.ts';
import { isStandalone, ownerWorkload, probableCause } from '../../../core/domain/policies/correlation.ts';
import { makeFault } from '../../fixtures/domain.ts';

const noView = { nodesWithOpenIncident: new Set<string>(), recentStandaloneInNamespace: 0 };
const pod = (
  name: string,
  owners: Fault['context']['owners'],
  extra: Partial<Fault['context']> = {},
): Fault =>
  makeFault({
    resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name, uid: `uid-${name}` },
    context: { ...(owners && { owners }), ...extra },
  });

describe('probable cause (storm folding)', () => {
  it.each([
    [
      'a Deployment pod folds under its Deployment',
      pod('api-7d9f-x1', [
        { kind: 'ReplicaSet', name: 'api-7d9f' },
        { kind: 'Deployment', name: 'api' },
      ]),
      'workload:Deployment/shop/api',
    ],
    [
      'a bare ReplicaSet pod folds under the ReplicaSet',
      pod('rs-x', [{ kind: 'ReplicaSet', name: 'rs' }]),
      'workload:ReplicaSet/shop/rs',
    ],
    [
      'a CronJob pod folds under the CronJob, not its Job',
      pod('nightly-2911-abc', [
        { kind: 'Job', name: 'nightly-2911' },
        { kind: 'CronJob', name: 'nightly' },
      ]),
      'workload:CronJob/shop/nightly',
    ],
    ['a StatefulSet pod', pod('db-0', [{ kind: 'StatefulSet', name: 'db' }]), 'workload:StatefulSet/shop/db'],
    [
      'a DaemonSet pod',
      pod('agent-abc', [{ kind: 'DaemonSet', name: 'agent' }]),
      'workload:DaemonSet/shop/agent',
    ],
    ['a pod without owners stands alone', pod('debug', undefined), 'resource:Pod/shop/debug'],
    [
      'a Deployment fault itself folds with its pods',
      makeFault({
        class: 'DeploymentRolloutFailed',
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' },
        context: {},
      }),
      'workload:Deployment/shop/api',
    ],
    [
      'a node fault opens a node cause',
      makeFault({
        class: 'NodeNotReady',
        resource: { apiVersion: 'v1', kind: 'Node', name: 'n1' },
        context: {},
      }),
      'node:n1',
    ],
  ])('%s', (_what, fault, fingerprint) => {
    expect(probableCause(fault, noView).fingerprint).toBe(fingerprint);
  });

  it('folds a pod on a node with an open node incident into the node, whatever its workload', () => {
    const fault = pod('api-7d9f-x1', [{ kind: 'Deployment', name: 'api' }], { node: 'n1' });
    const cause = probableCause(fault, {
      nodesWithOpenIncident: new Set(['n1']),
      recentStandaloneInNamespace: 0,
    });
    expect(cause).toMatchObject({
      fingerprint: 'node:n1',
      reason: 'same_node',
      primary: { kind: 'Node', name: 'n1' },
    });
    expect(probableCause(fault, { ...noView, nodesWithOpenIncident: new Set(['n2']) }).fingerprint).toBe(
      'workload:Deployment/shop/api',
    );
  });

  it.each([
    [4, 'resource:Pod/shop/debug'],
    [5, 'burst:shop'],
    [9, 'burst:shop'],
  ])(
    'with %i standalone incidents in the window a lone pod goes to %s (threshold 5)',
    (recent, fingerprint) => {
      const cause = probableCause(
        pod('debug', undefined),
        { nodesWithOpenIncident: new Set(), recentStandaloneInNamespace: recent },
        { burstThreshold: 5, burstWindowMs: 60_000 },
      );
      expect(cause.fingerprint).toBe(fingerprint);
    },
  );

  it('never folds workload pods into a namespace burst', () => {
    const fault = pod('api-1', [{ kind: 'Deployment', name: 'api' }]);
    expect(probableCause(fault, { ...noView, recentStandaloneInNamespace: 50 }).fingerprint).toBe(
      'workload:Deployment/shop/api',
    );
  });

  it('says which causes count towards a burst', () => {
    expect(isStandalone(probableCause(pod('debug', undefined), noView))).toBe(true);
    expect(isStandalone(probableCause(pod('a', [{ kind: 'Deployment', name: 'a' }]), noView))).toBe(false);
  });

  it('keeps the owner uid and namespace on the workload', () => {
    expect(ownerWorkload(pod('a-1', [{ kind: 'Deployment', name: 'a', uid: 'u1' }]))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'a',
      uid: 'u1',
    });
  });
});
