/**
 * Relational tables (kysely types). The same types drive the SQLite migrations below and would
 * drive a PostgreSQL adapter. Times are Unix milliseconds; flags are 0/1 integers.
 */
import type { Generated } from 'kysely';

export interface CompaniesTable {
  id: Generated<number>;
  name: string;
  time_zone: string;
  owner_user_id: number | null;
  created_at: number;
}

export interface UsersTable {
  id: Generated<number>;
  company_id: number;
  email: string;
  name: string;
  phone: string | null;
  password_hash: string | null;
  is_owner: number;
  status: 'not_registered' | 'active' | 'deactivated';
  role_id: number | null;
  deleted: number;
  /** The user's Away choice (product §6.2.4). */
  away: number;
  /** Bumped to invalidate every access token and socket of the user. */
  token_version: number;
  /** Bumped when what the user may read changes without a document write (groups, role). */
  access_epoch: number;
  created_at: number;
  last_seen_at: number | null;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  refresh_hash: string;
  expires_at: number;
  revoked: number;
  created_at: number;
}

export interface InvitationsTable {
  token_hash: string;
  user_id: number;
  expires_at: number;
  used: number;
  created_at: number;
}

export interface GroupsTable {
  id: Generated<number>;
  company_id: number;
  name: string;
  priority: number;
  color: string;
  is_default: number;
}

export interface GroupMembersTable {
  group_id: number;
  user_id: number;
}

export interface RolesTable {
  id: Generated<number>;
  company_id: number;
  name: string;
  permissions: string; // JSON array
}

export interface ApiTokensTable {
  token_hash: string;
  company_id: number;
  /** null = the company token; else an operator-scoped token. */
  user_id: number | null;
  token_enc: string;
  created_at: number;
}

/** The company's managed topic list (product §8.4); queries carry topic ids in their documents. */
export interface TopicsTable {
  id: Generated<number>;
  company_id: number;
  title: string;
  /** `#rrggbb`. */
  color: string;
  archived: number;
  created_at: number;
}

export interface AccountChannelsTable {
  id: Generated<number>;
  company_id: number;
  application: string;
  name: string;
  service_user_id: string;
  status: 'enabled' | 'disabled' | 'error';
  /** Non-secret configuration (JSON): webhook URL, base URLs. */
  config: string;
  /** Secrets (JSON), encrypted at rest. */
  secrets_enc: string;
  /** Lookup key for inbound authentication: SHA-256 of the token. */
  token_hash: string | null;
  created_at: number;
}

export interface ClientsTable {
  id: Generated<number>;
  company_id: number;
  account_channel_id: number;
  external_id: string;
  name: string;
  phone: string | null;
  extra_fields: string; // JSON object
  created_at: number;
}

export interface ConversationsTable {
  id: Generated<number>;
  company_id: number;
  client_id: number;
  account_channel_id: number;
  application: string;
  status: 'unassigned' | 'inbox' | 'closed';
  assignee_id: number | null;
  group_id: number | null;
  distributing: number;
  locked: number;
  query_id: number;
  /** The projection the REST API lists from (JSON of the core InboxRow). */
  row: string;
  token: string;
  created_at: number;
  updated_at: number;
}

export interface QueriesTable {
  id: Generated<number>;
  conversation_id: number;
  origin: string;
  started_at: number;
}

export interface MessagesTable {
  id: Generated<number>;
  uuid: string;
  company_id: number;
  conversation_id: number;
  created_at: number;
}

export interface DocumentsTable {
  name: string;
  company_id: number;
  last_seq: number;
  snapshot_seq: number;
  update_count: number;
}

export interface DocUpdatesTable {
  seq: Generated<number>;
  doc: string;
  data: Uint8Array;
}

export interface DocSnapshotsTable {
  doc: string;
  seq: number;
  data: Uint8Array;
}

export interface InboundEventsTable {
  account_channel_id: number;
  dedupe_key: string;
  message_id: number | null;
  conversation_id: number | null;
  received_at: number;
  /** The raw event as received (channels.md §1): for replay and audits. */
  payload: string | null;
}

export interface OutboundTable {
  id: Generated<number>;
  company_id: number;
  account_channel_id: number;
  conversation_id: number;
  /** Idempotency key: the message ULID, or `<ulid>.<n>` for the n-th part of a split text. */
  key: string;
  message_uuid: string;
  /** Ordering scope: one thread per conversation. */
  thread: string;
  payload: string; // JSON
  state: 'queued' | 'held' | 'sending' | 'sent' | 'failed' | 'unknown';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  companies: CompaniesTable;
  users: UsersTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  roles: RolesTable;
  api_tokens: ApiTokensTable;
  account_channels: AccountChannelsTable;
  topics: TopicsTable;
  clients: ClientsTable;
  conversations: ConversationsTable;
  queries: QueriesTable;
  messages: MessagesTable;
  documents: DocumentsTable;
  doc_updates: DocUpdatesTable;
  doc_snapshots: DocSnapshotsTable;
  inbound_events: InboundEventsTable;
  outbound: OutboundTable;
}

/** SQLite DDL, applied in order; the index is the schema version (PRAGMA user_version). */
export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    owner_user_id INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    password_hash TEXT,
    is_owner INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    role_id INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0,
    away INTEGER NOT NULL DEFAULT 0,
    token_version INTEGER NOT NULL DEFAULT 0,
    access_epoch INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER
  );
  CREATE UNIQUE INDEX users_email ON users(email) WHERE deleted = 0;
  CREATE INDEX users_company ON users(company_id);
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    refresh_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    priority INTEGER NOT NULL,
    color TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX groups_priority ON groups(company_id, priority);
  CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
  );
  CREATE TABLE roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    permissions TEXT NOT NULL
  );
  CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    user_id INTEGER,
    token_enc TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE account_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    application TEXT NOT NULL,
    name TEXT NOT NULL,
    service_user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    secrets_enc TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX account_channels_service ON account_channels(company_id, application, service_user_id);
  CREATE TABLE clients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    account_channel_id INTEGER NOT NULL REFERENCES account_channels(id),
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    extra_fields TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX clients_identity ON clients(account_channel_id, external_id);
  CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    client_id INTEGER NOT NULL UNIQUE REFERENCES clients(id),
    account_channel_id INTEGER NOT NULL,
    application TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id INTEGER,
    group_id INTEGER,
    distributing INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0,
    query_id INTEGER NOT NULL DEFAULT 0,
    row TEXT NOT NULL DEFAULT '{}',
    token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX conversations_status ON conversations(company_id, status, updated_at);
  CREATE TABLE queries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL,
    origin TEXT NOT NULL,
    started_at INTEGER NOT NULL
  );
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    company_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE documents (
    name TEXT PRIMARY KEY,
    company_id INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    snapshot_seq INTEGER NOT NULL DEFAULT 0,
    update_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX documents_company_seq ON documents(company_id, last_seq);
  CREATE TABLE doc_updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX doc_updates_doc ON doc_updates(doc, seq);
  CREATE TABLE doc_snapshots (
    doc TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL
  );
  CREATE TABLE inbound_events (
    account_channel_id INTEGER NOT NULL,
    dedupe_key TEXT NOT NULL,
    message_id INTEGER,
    conversation_id INTEGER,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (account_channel_id, dedupe_key)
  );
  CREATE TABLE outbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    account_channel_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    key TEXT NOT NULL UNIQUE,
    message_uuid TEXT NOT NULL,
    thread TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX outbound_due ON outbound(state, next_attempt_at);
  CREATE INDEX outbound_thread ON outbound(thread, id);
  `,
  `
  ALTER TABLE inbound_events ADD COLUMN payload TEXT;
  `,
  `
  CREATE TABLE topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    title TEXT NOT NULL,
    color TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX topics_title ON topics(company_id, title COLLATE NOCASE);
  `,
];
