/**
 * Custom app account channels (product §3.5 "Adding it"): creation with a generated token and
 * signing secret (sealed at rest, the token also kept as a SHA-256 for lookup), listing, reading
 * the secrets for the settings window, and token regeneration.
 */
import type { CompanyDirectory } from '../../company/directory';
import { HttpError } from '../../http/errors';
import { randomToken, sha256Hex, type SecretBox } from '../../security/crypto';
import type { AccountChannelsTable } from '../../storage/schema';
import type { Storage } from '../../storage/storage';
import { accountInfoOf } from '../accounts';
import type { ChannelAccountInfo } from '../connector';
import { generateSigningSecret } from '../signing';
import type { CustomAppConfig, CustomAppSecrets } from './connector';

export const CUSTOM_APP_TOKEN_LENGTH = 48;

export interface CustomAppSummary {
  id: number;
  application: 'custom';
  name: string;
  customAppId: string;
  webhookUrl: string;
  status: 'enabled' | 'disabled' | 'error';
  inboundUrl: string;
  createdAt: number;
}

export interface CustomAppDetails extends CustomAppSummary {
  token: string;
  signingSecret: string;
}

type AccountRow = Omit<AccountChannelsTable, 'id'> & { id: number };

/** How long a resolved token is trusted without a lookup (changes through this class are immediate). */
const TOKEN_CACHE_MS = 10_000;

export class CustomApps {
  /** Token → app, so the inbound hot path does not hash and query on every request. */
  private readonly byToken = new Map<string, { account: ChannelAccountInfo; until: number }>();

  constructor(
    private readonly storage: Storage,
    private readonly secrets: SecretBox,
    private readonly directory: CompanyDirectory,
    private readonly publicUrl: () => string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The incoming address an app posts its messages to. */
  inboundUrl(customAppId: string): string {
    return `${this.publicUrl()}/channels/custom/${encodeURIComponent(customAppId)}/messages`;
  }

  async create(companyId: number, input: { name: string; customAppId: string; webhookUrl: string }): Promise<CustomAppDetails> {
    const db = this.storage.db;
    const secrets: CustomAppSecrets = { token: randomToken(CUSTOM_APP_TOKEN_LENGTH), signingSecret: generateSigningSecret() };
    const config: CustomAppConfig = { webhookUrl: input.webhookUrl };
    const id = await this.storage.write(async (tx) => {
      const taken = await tx.first(
        db.selectFrom('account_channels').select('id').where('company_id', '=', companyId).where('application', '=', 'custom')
          .where('service_user_id', '=', input.customAppId),
      );
      if (taken) throw new HttpError(400, { customAppId: 'Custom app ID is already in use' });
      const res = await tx.run(db.insertInto('account_channels').values({
        company_id: companyId, application: 'custom', name: input.name, service_user_id: input.customAppId, status: 'enabled',
        config: JSON.stringify(config), secrets_enc: this.secrets.seal(JSON.stringify(secrets)), token_hash: sha256Hex(secrets.token),
        created_at: this.clock(),
      }));
      await this.directory.writeCompanyDoc(tx, companyId);
      return res.insertId!;
    });
    return (await this.get(companyId, id))!;
  }

  async list(companyId: number): Promise<CustomAppSummary[]> {
    const rows = await this.storage.all(
      this.storage.db.selectFrom('account_channels').selectAll().where('company_id', '=', companyId).where('application', '=', 'custom').orderBy('id'),
    );
    return rows.map((r) => this.summary(r));
  }

  /** One app with its token and signing secret (for the settings window); null if not this company's. */
  async get(companyId: number, id: number): Promise<CustomAppDetails | null> {
    const row = await this.row(companyId, id);
    if (!row) return null;
    const secrets = JSON.parse(this.secrets.open(row.secrets_enc)) as CustomAppSecrets;
    return { ...this.summary(row), token: secrets.token, signingSecret: secrets.signingSecret };
  }

  /** A new token; the old one stops working at once. The signing secret stays. */
  async regenerateToken(companyId: number, id: number): Promise<CustomAppDetails> {
    const db = this.storage.db;
    const token = randomToken(CUSTOM_APP_TOKEN_LENGTH);
    await this.storage.write(async (tx) => {
      const row = await tx.first(db.selectFrom('account_channels').selectAll().where('id', '=', id).where('company_id', '=', companyId).where('application', '=', 'custom'));
      if (!row) throw new HttpError(404, 'App not found');
      const secrets = { ...(JSON.parse(this.secrets.open(row.secrets_enc)) as CustomAppSecrets), token };
      await tx.run(db.updateTable('account_channels').set({ secrets_enc: this.secrets.seal(JSON.stringify(secrets)), token_hash: sha256Hex(token) }).where('id', '=', id));
    });
    for (const [key, entry] of this.byToken) if (entry.account.id === id) this.byToken.delete(key);
    return (await this.get(companyId, id))!;
  }

  /** The app a Bearer token belongs to (tokens are unique on the server). */
  async findByToken(token: string): Promise<ChannelAccountInfo | null> {
    if (token.length === 0 || token.length > 200) return null;
    const now = Date.now();
    const cached = this.byToken.get(token);
    if (cached && cached.until > now) return cached.account;
    const row = await this.storage.first(
      this.storage.db.selectFrom('account_channels').selectAll().where('token_hash', '=', sha256Hex(token)).where('application', '=', 'custom'),
    );
    if (!row) {
      this.byToken.delete(token);
      return null;
    }
    const account = accountInfoOf(row);
    if (this.byToken.size > 10_000) this.byToken.clear();
    this.byToken.set(token, { account, until: now + TOKEN_CACHE_MS });
    return account;
  }

  private async row(companyId: number, id: number): Promise<AccountRow | undefined> {
    return this.storage.first(
      this.storage.db.selectFrom('account_channels').selectAll().where('id', '=', id).where('company_id', '=', companyId).where('application', '=', 'custom'),
    );
  }

  private summary(row: AccountRow): CustomAppSummary {
    const config = JSON.parse(row.config) as CustomAppConfig;
    return {
      id: row.id, application: 'custom', name: row.name, customAppId: row.service_user_id, webhookUrl: config.webhookUrl, status: row.status,
      inboundUrl: this.inboundUrl(row.service_user_id), createdAt: row.created_at,
    };
  }
}
