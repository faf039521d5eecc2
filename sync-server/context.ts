/** What every server plugin gets: the shared services, created once by `app.ts`. */
import type { FastifyBaseLogger } from 'fastify';
import type { AccountService } from './accounts/service';
import type { Sessions } from './auth/session';
import type { CompanyDirectory } from './company/directory';
import type { ServerConfig } from './config';
import type { ConversationService } from './conversations/service';
import type { DocManager } from './docs/doc-manager';
import type { SecretBox } from './security/crypto';
import type { AccessTokens } from './security/tokens';
import type { Storage } from './storage/storage';

export interface ServerContext {
  config: ServerConfig;
  log: FastifyBaseLogger;
  storage: Storage;
  docs: DocManager;
  directory: CompanyDirectory;
  conversations: ConversationService;
  secrets: SecretBox;
  tokens: AccessTokens;
  sessions: Sessions;
  accounts: AccountService;
  /** The base URL clients and channels reach this server at (set once listening). */
  publicUrl(): string;
  /** Hooks run on shutdown, in reverse order of registration, before storage closes. */
  onClose(fn: () => Promise<void> | void): void;
}
