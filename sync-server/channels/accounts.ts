/** Account channel rows as connectors see them: configuration parsed, secrets opened only on demand. */
import type { Application } from '../../src-core/conversation/types';
import type { SecretBox } from '../security/crypto';
import type { AccountChannelsTable } from '../storage/schema';
import type { Sql, Storage } from '../storage/storage';
import type { ChannelAccount, ChannelAccountInfo } from './connector';

type AccountRow = Omit<AccountChannelsTable, 'id'> & { id: number };

export function accountInfoOf(row: Pick<AccountRow, 'id' | 'company_id' | 'application' | 'service_user_id' | 'status' | 'config'>): ChannelAccountInfo {
  return {
    id: row.id,
    companyId: row.company_id,
    application: row.application as Application,
    serviceUserId: row.service_user_id,
    status: row.status,
    config: JSON.parse(row.config) as Record<string, unknown>,
  };
}

export function openAccount(row: AccountRow, secrets: SecretBox): ChannelAccount {
  return { ...accountInfoOf(row), secrets: JSON.parse(secrets.open(row.secrets_enc)) as Record<string, string> };
}

export async function readAccountRow(sql: Sql, storage: Storage, id: number): Promise<AccountRow | undefined> {
  return sql.first(storage.db.selectFrom('account_channels').selectAll().where('id', '=', id));
}
