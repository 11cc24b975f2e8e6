/**
 * One MCP session of the fault-event server: the fork-compatible tools (events_subscribe, events_unsubscribe,
 * events_list_subscriptions), `list_faults` for reconciliation, and every fault as a resource with
 * subscriptions. The session is told about faults by `deliver`, and pushes them on its standalone GET stream.
 */
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  McpError,
  ErrorCode,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Fault } from '../../core/domain/fault.ts';
import { faultsLogger, toWire } from './fault-wire.ts';

export interface FaultView {
  readonly cluster: string;
  active(): readonly Fault[];
  /** Active or recently resolved, for reading a fault whose update was just announced. */
  find(faultId: string): Fault | undefined;
}

export const listUri = (cluster: string) => `watchkeeper://faults/${encodeURIComponent(cluster)}`;
export const faultUri = (cluster: string, faultId: string) =>
  `${listUri(cluster)}/${encodeURIComponent(faultId)}`;

const tools = [
  {
    name: 'events_subscribe',
    description:
      'Subscribe this session to Kubernetes faults (mode "faults"). Faults arrive as notifications/message with ' +
      `logger "${faultsLogger}". Filters are accepted for compatibility and ignored: faults are cluster-wide.`,
    inputSchema: {
      type: 'object' as const,
      properties: {
        mode: { type: 'string', enum: ['faults', 'events'] },
        namespaces: { type: 'array', items: { type: 'string' } },
        labelSelector: { type: 'string' },
      },
    },
  },
  {
    name: 'events_unsubscribe',
    description: 'Cancel a subscription made with events_subscribe.',
    inputSchema: {
      type: 'object' as const,
      properties: { subscriptionId: { type: 'string' } },
      required: ['subscriptionId'],
    },
  },
  {
    name: 'events_list_subscriptions',
    description: "List this session's subscriptions.",
    inputSchema: { type: 'object' as const, properties: {} },
  },
  {
    name: 'list_faults',
    description:
      'Every fault that holds now, for reconciliation after a reconnect. Same fields as the notifications.',
    inputSchema: { type: 'object' as const, properties: {} },
  },
];

interface Subscription {
  readonly subscriptionId: string;
  readonly mode: 'faults';
  readonly createdAt: string;
}

const text = (value: string, isError = false): CallToolResult => ({
  content: [{ type: 'text', text: value }],
  isError,
});

export class EmitSession {
  readonly mcp: McpServer;
  /** The protocol-level server: this session answers the requests itself (no high-level tool registry). */
  readonly server: McpServer['server'];
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly resourceSubscriptions = new Set<string>();
  private readonly view: FaultView;
  private readonly maxSubscriptions: number;
  lastActivity = Date.now();

  constructor(view: FaultView, options: { readonly maxSubscriptions: number; readonly version: string }) {
    this.view = view;
    this.maxSubscriptions = options.maxSubscriptions;
    this.mcp = new McpServer(
      { name: 'watchkeeper-emit', version: options.version },
      {
        capabilities: { logging: {}, tools: {}, resources: { subscribe: true, listChanged: true } },
        instructions:
          'Kubernetes faults of one cluster, pushed as they happen. Call events_subscribe, then list_faults.',
      },
    );
    this.server = this.mcp.server;
    this.registerHandlers();
  }

  /** Pushes one fault change to this session, as each of its subscriptions asked. */
  async deliver(fault: Fault, listChanged: boolean): Promise<void> {
    for (const subscription of this.subscriptions.values()) {
      await this.server.notification({
        method: 'notifications/message',
        params: { level: 'warning', logger: faultsLogger, data: toWire(fault, subscription.subscriptionId) },
      });
    }
    const uri = faultUri(this.view.cluster, fault.faultId);
    const list = listUri(this.view.cluster);
    if (this.resourceSubscriptions.has(uri)) await this.server.sendResourceUpdated({ uri });
    if (this.resourceSubscriptions.has(list)) await this.server.sendResourceUpdated({ uri: list });
    if (listChanged) await this.server.sendResourceListChanged();
  }

  private registerHandlers(): void {
    const touch = () => {
      this.lastActivity = Date.now();
    };
    this.server.setRequestHandler(SetLevelRequestSchema, () => {
      touch();
      return {};
    });
    this.server.setRequestHandler(ListToolsRequestSchema, () => {
      touch();
      return { tools };
    });
    this.server.setRequestHandler(CallToolRequestSchema, (request) => {
      touch();
      return this.callTool(request.params.name, request.params.arguments ?? {});
    });
    this.server.setRequestHandler(ListResourcesRequestSchema, () => {
      touch();
      return {
        resources: [
          {
            uri: listUri(this.view.cluster),
            name: 'faults',
            description: 'every fault that holds now',
            mimeType: 'application/json',
          },
          ...this.view.active().map((fault) => ({
            uri: faultUri(this.view.cluster, fault.faultId),
            name: `${fault.class} ${fault.resource.kind}/${fault.resource.namespace ?? ''}/${fault.resource.name}`,
            mimeType: 'application/json',
          })),
        ],
      };
    });
    this.server.setRequestHandler(ReadResourceRequestSchema, (request) => {
      touch();
      const { uri } = request.params;
      if (uri === listUri(this.view.cluster)) {
        return {
          contents: [
            {
              uri,
              mimeType: 'application/json',
              text: JSON.stringify(this.view.active().map((f) => toWire(f, ''))),
            },
          ],
        };
      }
      const prefix = `${listUri(this.view.cluster)}/`;
      const fault = uri.startsWith(prefix)
        ? this.view.find(decodeURIComponent(uri.slice(prefix.length)))
        : undefined;
      if (!fault)
        throw new McpError(ErrorCode.InvalidParams, `no fault at ${uri}; list them with resources/list`);
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(toWire(fault, '')) }] };
    });
    this.server.setRequestHandler(SubscribeRequestSchema, (request) => {
      touch();
      if (!request.params.uri.startsWith(listUri(this.view.cluster))) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `cannot subscribe to ${request.params.uri}: not a fault resource`,
        );
      }
      if (this.resourceSubscriptions.size >= this.maxSubscriptions * 100) {
        throw new McpError(ErrorCode.InvalidRequest, 'too many resource subscriptions in this session');
      }
      this.resourceSubscriptions.add(request.params.uri);
      return {};
    });
    this.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
      touch();
      this.resourceSubscriptions.delete(request.params.uri);
      return {};
    });
  }

  private callTool(name: string, args: Record<string, unknown>): CallToolResult {
    switch (name) {
      case 'events_subscribe': {
        const mode = args.mode ?? 'events';
        if (mode !== 'faults')
          return text(
            'only mode "faults" is served here; call events_subscribe with {"mode":"faults"}',
            true,
          );
        if (this.subscriptions.size >= this.maxSubscriptions) {
          return text(
            `this session already has ${this.maxSubscriptions} subscriptions; unsubscribe one first`,
            true,
          );
        }
        const subscription: Subscription = {
          subscriptionId: `sub-${randomUUID().slice(0, 8)}`,
          mode: 'faults',
          createdAt: new Date().toISOString(),
        };
        this.subscriptions.set(subscription.subscriptionId, subscription);
        const body = { ...subscription, cluster: this.view.cluster, filters: {}, status: 'active' };
        return text(
          `# Event Subscription Created\n\n${JSON.stringify(body, null, 2)}\n\n` +
            `You will receive fault notifications (logger "${faultsLogger}") for cluster ${this.view.cluster}.`,
        );
      }
      case 'events_unsubscribe': {
        const id = typeof args.subscriptionId === 'string' ? args.subscriptionId : '';
        if (!this.subscriptions.delete(id))
          return text(`no subscription ${JSON.stringify(id)} in this session`, true);
        return text(JSON.stringify({ subscriptionId: id, cancelled: true, status: 'success' }));
      }
      case 'events_list_subscriptions': {
        const subscriptions = [...this.subscriptions.values()].map((s) => ({
          ...s,
          cluster: this.view.cluster,
          filters: {},
          degraded: false,
        }));
        return text(JSON.stringify({ subscriptions, total: subscriptions.length }));
      }
      case 'list_faults':
        return text(
          JSON.stringify({
            cluster: this.view.cluster,
            faults: this.view.active().map((f) => toWire(f, '')),
          }),
        );
      default:
        return text(`unknown tool ${JSON.stringify(name)}; see tools/list`, true);
    }
  }
}
