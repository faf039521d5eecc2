/** The plugins of the server, in registration order. Each owns its routes and schemas. */
import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './accounts/routes';
import { apiRoutes } from './api/plugin';
import { channelsPlugin } from './channels/plugin';
import { topicRoutes } from './company/topics';
import type { ServerContext } from './context';
import { registerGateway } from './gateway';
import { webPlugin } from './web/plugin';

export async function registerPlugins(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const gateway = registerGateway(app, ctx);
  await app.register(accountRoutes(ctx.accounts, ctx));
  await app.register(apiRoutes(ctx, { presenceOf: (companyId, userId) => gateway.multiplex.presenceIfKnown(companyId, userId) }));
  await app.register(channelsPlugin(ctx));
  await app.register(topicRoutes(ctx));
  await app.register(webPlugin(ctx));
}
