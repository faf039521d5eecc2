/**
 * Custom app over HTTP: the settings window's `/admin/apps*` and the apps' incoming address
 * `POST /channels/custom/:customAppId/messages` (product §3.5).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can } from '../../../src-core/permissions';
import { parse } from '../../accounts/routes';
import type { ServerContext } from '../../context';
import { HttpError, sendData } from '../../http/errors';
import type { InboundEvent } from '../connector';
import { SlidingWindowLimiter } from '../rate-window';
import type { CustomApps } from './apps';
import { CUSTOM_APP_ID_PATTERN, isHttpUrl, parseCustomInbound } from './inbound';

export const INBOUND_BODY_LIMIT = 1024 * 1024;
export const INBOUND_REQUESTS_PER_SECOND = 50;

const CreateAppBody = z.object({
  application: z.literal('custom', { error: 'Only "custom" apps can be added here for now' }),
  name: z.string({ error: 'Name is required' }).trim().min(1, 'Name is required').max(100, 'Name must be at most 100 characters'),
  customAppId: z.string({ error: 'Custom app ID is required' })
    .regex(CUSTOM_APP_ID_PATTERN, 'Must be 1–64 characters of A–Z, a–z, 0–9, _ and -'),
  webhookUrl: z.string({ error: 'Webhook URL is required' }).trim().max(2048, 'Webhook URL is too long')
    .refine(isHttpUrl, 'Webhook URL must be an http(s) URL'),
});
const AppParams = z.object({ id: z.coerce.number().int().positive() });

/** The event as received, without the app's token (it is a credential). */
function rawBodyText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return JSON.stringify(body);
  const { token: _token, ...rest } = body as Record<string, unknown>;
  return JSON.stringify(rest);
}

function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : null;
}

export function customAppRoutes(apps: CustomApps, ctx: ServerContext) {
  const limiter = new SlidingWindowLimiter(INBOUND_REQUESTS_PER_SECOND, 1000);

  async function requireAppsManager(req: FastifyRequest) {
    const session = await ctx.sessions.require(req);
    if (!can(session.actor, 'apps.manage')) throw new HttpError(403, 'Access denied');
    return session;
  }

  /** The Switchboard message an app names by `message_id`: only one this app was sent. */
  async function sentToApp(accountChannelId: number, messageId: string) {
    const db = ctx.storage.db;
    return ctx.storage.first(
      db.selectFrom('outbound').innerJoin('messages', 'messages.uuid', 'outbound.message_uuid')
        .select(['outbound.company_id', 'outbound.conversation_id', 'outbound.message_uuid', 'outbound.attempts', 'messages.id as message_id'])
        .where('outbound.account_channel_id', '=', accountChannelId).where('outbound.key', '=', messageId),
    );
  }

  return async (app: FastifyInstance) => {
    // ---- settings window ----

    app.post('/admin/apps', async (req, reply) => {
      const { user } = await requireAppsManager(req);
      const body = parse(CreateAppBody, req.body);
      const created = await apps.create(user.companyId, body);
      ctx.log.info({ companyId: user.companyId, accountChannelId: created.id }, 'custom app added');
      return sendData(reply, created);
    });

    app.get('/admin/apps', async (req, reply) => {
      const { user } = await requireAppsManager(req);
      return sendData(reply, await apps.list(user.companyId));
    });

    app.get('/admin/apps/:id', async (req, reply) => {
      const { user } = await requireAppsManager(req);
      const { id } = parse(AppParams, req.params);
      const found = await apps.get(user.companyId, id);
      if (!found) throw new HttpError(404, 'App not found');
      return sendData(reply, found);
    });

    app.post('/admin/apps/:id/regenerate-token', async (req, reply) => {
      const { user } = await requireAppsManager(req);
      const { id } = parse(AppParams, req.params);
      const updated = await apps.regenerateToken(user.companyId, id);
      ctx.log.info({ companyId: user.companyId, accountChannelId: id }, 'custom app token regenerated');
      return sendData(reply, updated);
    });

    // ---- the apps' incoming address ----

    app.post<{ Params: { customAppId: string } }>('/channels/custom/:customAppId/messages', { bodyLimit: INBOUND_BODY_LIMIT }, async (req, reply) => {
      const token = bearerToken(req);
      const account = token ? await apps.findByToken(token) : null;
      if (!token || !account) throw new HttpError(401, 'Invalid token');
      const wait = limiter.take(String(account.id));
      if (wait > 0) throw new HttpError(429, 'Too many requests', { 'Retry-After': String(Math.ceil(wait / 1000)) });
      if (account.status !== 'enabled') throw new HttpError(403, 'This app is disabled');
      const parsed = parseCustomInbound({ id: account.id, customAppId: account.serviceUserId, token }, req.params.customAppId, req.body);
      if (!parsed.ok) throw new HttpError(parsed.status, parsed.error);
      const event: InboundEvent = parsed.event;

      if (event.type === 'status') {
        const sent = await sentToApp(account.id, event.correlationId);
        if (!sent) throw new HttpError(422, { message_id: 'No message with this id was sent to this app' });
        await ctx.conversations.setDeliveryStatus(
          sent.company_id, sent.conversation_id, sent.message_uuid, event.status,
          event.status === 'failed' ? { reason: 'unknown', message: event.error ?? 'The app reported that the message was not delivered' } : null,
        );
        return sendData(reply, { id: sent.message_id, conversation_id: sent.conversation_id, duplicate: false });
      }

      if (event.type === 'echo') {
        // An acknowledgement of our own delivery: a receipt at most, never a message (channels.md §1.7).
        const sent = event.correlationId ? await sentToApp(account.id, event.correlationId) : undefined;
        if (!sent || sent.attempts === 0) return sendData(reply, { id: null, conversation_id: null, duplicate: false, ignored: true });
        await ctx.conversations.setDeliveryStatus(sent.company_id, sent.conversation_id, sent.message_uuid, 'delivered');
        return sendData(reply, { id: sent.message_id, conversation_id: sent.conversation_id, duplicate: false });
      }

      const file = event.attachments[0];
      const result = await ctx.conversations.receiveInbound({
        companyId: account.companyId,
        accountChannelId: account.id,
        application: 'custom',
        dedupeKey: event.dedupeKey,
        client: {
          externalId: event.ref.externalUserId,
          name: event.sender.displayName ?? null,
          phone: event.sender.phone ?? null,
          extraFields: event.sender.extraFields ?? null,
        },
        text: event.text ?? null,
        // The file stays at the app's URL in this release (no blob store yet).
        attachment: file ? { type: file.kind, url: file.fetch?.url ?? null, name: file.fileName ?? null, mime: file.mimeType ?? null, size: null } : null,
        externalId: event.externalMessageId,
        sentAt: event.sentAt ? event.sentAt.getTime() : null,
        echo: event.outgoing === true,
        rawPayload: rawBodyText(req.body),
      });
      return sendData(reply, { id: result.messageId, conversation_id: result.conversationId, duplicate: result.duplicate });
    });
  };
}
