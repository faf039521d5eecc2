/** The plugins of the server, in registration order. Each owns its routes and schemas. */
import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './accounts/routes';
import type { ServerContext } from './context';

export async function registerPlugins(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(accountRoutes(ctx.accounts, ctx));
}
