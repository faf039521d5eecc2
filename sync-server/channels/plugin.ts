/**
 * The channel relay: one connector per channel kind (only the Custom app so far), the durable
 * outbound queue every accepted reply goes through, and each channel's HTTP routes.
 */
import type { FastifyInstance } from 'fastify';
import type { Application } from '../../src-core/conversation/types';
import type { ServerContext } from '../context';
import type { ChannelConnector } from './connector';
import { CustomApps } from './custom/apps';
import { createCustomAppConnector } from './custom/connector';
import { customAppRoutes } from './custom/routes';
import { OutboundQueue } from './outbound-queue';

export function channelsPlugin(ctx: ServerContext) {
  return async (app: FastifyInstance) => {
    const connectors = new Map<Application, ChannelConnector>([['custom', createCustomAppConnector()]]);
    const queue = new OutboundQueue({
      storage: ctx.storage,
      conversations: ctx.conversations,
      secrets: ctx.secrets,
      log: ctx.log,
      connectors,
      backoff: { baseMs: ctx.config.outboundBackoffBaseMs, capMs: ctx.config.outboundBackoffCapMs },
    });
    ctx.conversations.setOutboundSink(queue);
    ctx.conversations.onOutboundQueued(() => queue.wake());
    ctx.onClose(() => queue.stop());

    const customApps = new CustomApps(ctx.storage, ctx.secrets, ctx.directory, () => ctx.publicUrl());
    await app.register(customAppRoutes(customApps, ctx));

    await queue.start();
  };
}
