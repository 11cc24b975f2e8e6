/**
 * What an MCP fault server offers, read from its capabilities and tool list at connect, and the choice made from
 * it: how its faults are pushed (mechanism) and how, after a reconnect, the faults that hold now are listed
 * (reconciliation). A configured mechanism the server does not offer is a configuration error, not a retry.
 */

export type Mechanism = 'logging' | 'resources';
export type ReconcileVia = 'list_faults' | 'resources';

export interface ServerOffer {
  /** The server pushes log notifications (`logging` capability), e.g. after `events_subscribe`. */
  readonly logging: boolean;
  readonly eventsSubscribe: boolean;
  readonly resourceSubscriptions: boolean;
  readonly listFaults: boolean;
}

export interface OfferChoice {
  readonly mechanism: Mechanism;
  /** Absent: nothing to list, so faults raised while disconnected cannot be recovered. */
  readonly reconcile?: ReconcileVia;
}

/** A setting that cannot work against this server: reported once, never retried. */
export class McpConfigurationError extends Error {}

export function readOffer(
  capabilities: {
    readonly logging?: object | undefined;
    readonly resources?: { readonly subscribe?: boolean | undefined } | undefined;
  },
  tools: readonly string[],
): ServerOffer {
  return {
    logging: capabilities.logging !== undefined,
    eventsSubscribe: tools.includes('events_subscribe'),
    resourceSubscriptions: capabilities.resources?.subscribe === true,
    listFaults: tools.includes('list_faults'),
  };
}

/** The push mechanisms the server offers, in words, e.g. `logging (events_subscribe)`. */
export function describeOffer(offer: ServerOffer): string {
  const ways = [
    ...(offer.logging || offer.eventsSubscribe
      ? [offer.eventsSubscribe ? 'logging (events_subscribe)' : 'logging']
      : []),
    ...(offer.resourceSubscriptions ? ['resources (resource subscriptions)'] : []),
  ];
  return ways.length > 0 ? ways.join(' and ') : 'no way to push faults';
}

export function chooseMechanism(offer: ServerOffer, wanted: 'auto' | Mechanism, server: string): OfferChoice {
  const canLog = offer.logging || offer.eventsSubscribe;
  let mechanism: Mechanism;
  if (wanted === 'auto') {
    if (offer.eventsSubscribe) mechanism = 'logging';
    else if (offer.resourceSubscriptions) mechanism = 'resources';
    else if (canLog) mechanism = 'logging';
    else
      throw new McpConfigurationError(
        `${server} offers no way to push faults (no events_subscribe tool, no resource subscriptions, no logging); is mcp.servers[].url the right server?`,
      );
  } else {
    const offered = wanted === 'logging' ? canLog : offer.resourceSubscriptions;
    if (!offered)
      throw new McpConfigurationError(
        `mechanism ${wanted} is configured, but ${server} does not offer it; it offers ${describeOffer(offer)}: set mcp.servers[].mechanism to auto or to one it offers`,
      );
    mechanism = wanted;
  }
  const reconcile: ReconcileVia | undefined = offer.listFaults
    ? 'list_faults'
    : mechanism === 'resources'
      ? 'resources'
      : undefined;
  return { mechanism, ...(reconcile && { reconcile }) };
}

/** Why a server cannot be reconciled, for `watchkeeper listeners` and the log. */
export function notReconcilableReason(server: string): string {
  return `${server} offers no list_faults tool and no fault resources, so faults raised while disconnected from ${server} cannot be recovered`;
}
