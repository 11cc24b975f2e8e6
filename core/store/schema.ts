/**
 * The database schema. `npm run db:generate` turns changes here into a migration under `migrations/`; the
 * same migrations run on PostgreSQL and on PGlite.
 */
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  boolean,
} from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const faults = pgTable(
  'faults',
  {
    cluster: text('cluster').notNull(),
    faultId: text('fault_id').notNull(),
    class: text('class').notNull(),
    severity: text('severity').notNull(),
    namespace: text('namespace'),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** The latest observation, as validated by FaultSchema. */
    data: jsonb('data').notNull(),
    observedAt: at('observed_at').notNull(),
    resolved: boolean('resolved').notNull(),
    firstSeenAt: at('first_seen_at').notNull(),
    lastSeenAt: at('last_seen_at').notNull(),
    occurrences: integer('occurrences').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.cluster, t.faultId] }),
    index('faults_resource_idx').on(t.cluster, t.namespace, t.kind, t.name),
    /** Firing faults by last sighting: what the TTL expiry scans. */
    index('faults_firing_idx')
      .on(t.lastSeenAt)
      .where(sql`not resolved`),
  ],
);

const closedStatuses = sql`status not in ('resolved', 'closed')`;

export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    fingerprint: text('fingerprint').notNull(),
    cluster: text('cluster').notNull(),
    severity: text('severity').notNull(),
    title: text('title').notNull(),
    primaryResource: jsonb('primary_resource').notNull(),
    status: text('status').notNull(),
    state: jsonb('state').notNull(),
    faultCount: integer('fault_count').notNull().default(0),
    threadChannel: text('thread_channel'),
    threadTs: text('thread_ts'),
    previousIncidentId: text('previous_incident_id'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
    resolvedAt: at('resolved_at'),
    closedAt: at('closed_at'),
    version: integer('version').notNull().default(0),
  },
  (t) => [
    uniqueIndex('incidents_open_fingerprint_uq').on(t.cluster, t.fingerprint).where(closedStatuses),
    index('incidents_status_idx').on(t.status, t.updatedAt),
    index('incidents_fingerprint_idx').on(t.cluster, t.fingerprint, t.createdAt),
  ],
);

export const incidentTransitions = pgTable(
  'incident_transitions',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    event: text('event').notNull(),
    actor: jsonb('actor').notNull(),
    reason: text('reason').notNull(),
    at: at('at').notNull(),
    /** Set once the transition is on the bus: the table doubles as the notification outbox. */
    publishedAt: at('published_at'),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.version] }),
    index('incident_transitions_unpublished_idx')
      .on(t.at)
      .where(sql`published_at is null`),
  ],
);

export const incidentMembers = pgTable(
  'incident_members',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    cluster: text('cluster').notNull(),
    faultId: text('fault_id').notNull(),
    reason: text('reason').notNull(),
    joinedAt: at('joined_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.cluster, t.faultId] }),
    index('incident_members_fault_idx').on(t.cluster, t.faultId),
  ],
);

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    agent: text('agent').notNull(),
    runner: text('runner').notNull(),
    status: text('status').notNull(),
    attempt: integer('attempt').notNull(),
    question: text('question'),
    model: text('model'),
    createdAt: at('created_at').notNull(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    usage: jsonb('usage'),
    reportKey: text('report_key'),
    failureReason: text('failure_reason'),
    failureDetail: text('failure_detail'),
    /** The incident's cluster, copied so per-cluster caps count running runs without a join. */
    cluster: text('cluster').notNull().default(''),
    /** Where the run executes (a local process group, a Job), so a restarted process can find it again. */
    sandbox: jsonb('sandbox'),
    /** The Watchkeeper process that started the run. */
    owner: text('owner'),
    /** Who or what asked the run to stop, and when (`RunCancellation`); the first request wins. */
    cancellation: jsonb('cancellation'),
  },
  (t) => [
    index('runs_incident_idx').on(t.incidentId, t.createdAt),
    index('runs_status_idx').on(t.status),
    index('runs_finished_idx').on(t.finishedAt),
    index('runs_started_idx').on(t.startedAt),
  ],
);

export const progressEvents = pgTable(
  'progress_events',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    at: at('at').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const reports = pgTable(
  'reports',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    incidentId: text('incident_id').notNull(),
    card: jsonb('card').notNull(),
    artifacts: jsonb('artifacts').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('reports_incident_idx').on(t.incidentId, t.createdAt)],
);

export const auditEntries = pgTable(
  'audit_entries',
  {
    id: text('id').primaryKey(),
    incidentId: text('incident_id'),
    actor: jsonb('actor').notNull(),
    action: text('action').notNull(),
    detail: jsonb('detail').notNull(),
    at: at('at').notNull(),
  },
  (t) => [index('audit_entries_incident_idx').on(t.incidentId, t.at)],
);

export const workItems = pgTable(
  'work_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    runAt: at('run_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: at('lease_until'),
    /** Why the item is waiting (a cap, the storm guard, the breaker), shown to people. */
    waitReason: text('wait_reason'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('work_items_kind_key_uq').on(t.kind, t.key),
    index('work_items_due_idx').on(t.kind, t.runAt),
  ],
);

export const silences = pgTable(
  'silences',
  {
    id: text('id').primaryKey(),
    matcher: jsonb('matcher').notNull(),
    author: text('author').notNull(),
    reason: text('reason').notNull(),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('silences_expires_idx').on(t.expiresAt)],
);

/** Chat messages Watchkeeper posted, by a key it derives (e.g. `run:<id>:progress`), so it edits, never reposts. */
export const chatMessages = pgTable(
  'chat_messages',
  {
    key: text('key').primaryKey(),
    incidentId: text('incident_id'),
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    index('chat_messages_incident_idx').on(t.incidentId),
    index('chat_messages_channel_ts_idx').on(t.channel, t.ts),
  ],
);

/** Chat requests already handled (a retried event, a double click), so each is acted on once. */
export const chatDeliveries = pgTable(
  'chat_deliveries',
  {
    id: text('id').primaryKey(),
    at: at('at').notNull(),
  },
  (t) => [index('chat_deliveries_at_idx').on(t.at)],
);

/** Proposed remediation and everything that happened to it (approvals, execution, verification). */
export const remediationRequests = pgTable(
  'remediation_requests',
  {
    id: text('id').primaryKey(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    cluster: text('cluster').notNull(),
    actions: jsonb('actions').notNull(),
    dryRun: jsonb('dry_run').notNull(),
    proposedBy: jsonb('proposed_by').notNull(),
    status: text('status').notNull(),
    approvals: jsonb('approvals').notNull(),
    requiredApprovals: integer('required_approvals').notNull(),
    proposedAt: at('proposed_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    execution: jsonb('execution'),
    verification: jsonb('verification'),
    version: integer('version').notNull().default(0),
  },
  (t) => [index('remediation_requests_incident_idx').on(t.incidentId, t.proposedAt)],
);
