/** Operator endpoints (product §11.4): `operators/all`. */
import { REJECT } from '../../src-core/conversation/lifecycle';
import { can } from '../../src-core/permissions';
import { HttpError } from '../http/errors';
import type { ApiDeps, DefineEndpoint } from './endpoint';
import { operatorObject } from './objects';

export function operatorEndpoints(define: DefineEndpoint, deps: ApiDeps): void {
  const { ctx, auth } = deps;

  /** Operator-scoped tokens by user (product §11.6.5 `conversations_token`). */
  async function operatorTokens(companyId: number): Promise<Map<number, string>> {
    const rows = await ctx.storage.all(
      ctx.storage.db.selectFrom('api_tokens').select(['user_id', 'token_enc'])
        .where('company_id', '=', companyId).where('user_id', 'is not', null),
    );
    const tokens = new Map<number, string>();
    for (const row of rows) {
      if (row.user_id === null) continue;
      try {
        tokens.set(row.user_id, ctx.secrets.open(row.token_enc));
      } catch (err) {
        ctx.log.error({ err, companyId, userId: row.user_id }, 'operator API token cannot be opened');
      }
    }
    return tokens;
  }

  // `operator_id` is not a parameter here: the list is the company's, read as the caller.
  define('GET', '/operators/all', async ({ caller }) => {
    const acting = await auth.acting(caller, undefined);
    if (!can(acting.actor, 'operators.view')) throw new HttpError(403, REJECT.accessDenied);
    const { state } = acting;
    if (state.ownerId === null) throw new Error(`company ${state.id} has no super-admin`);
    const tokens = await operatorTokens(state.id);
    return [...state.users.values()]
      .filter((user) => !user.deleted && !user.isOwner)
      .sort((a, b) => a.id - b.id)
      .map((user) => operatorObject(user, {
        ownerId: state.ownerId!,
        roles: state.roles,
        presence: deps.presenceOf(state.id, user.id),
        // Tokens are credentials: the company token sees every operator's, an operator only their own.
        conversationsToken: acting.viaCompanyToken || user.id === acting.user.id ? (tokens.get(user.id) ?? null) : null,
      }));
  });
}
