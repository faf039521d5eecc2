/**
 * Accounts over HTTP: `/auth/*` (sign-up, sign-in, refresh, sign-out, invitations) and the
 * super-admin's `/admin/operators*` and `/admin/api-token`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { HttpError, fieldErrors, sendData } from '../http/errors';
import { AccountService, parseInvitationCsv } from './service';

const password = z.string().min(10, 'Password must be at least 10 characters').max(200);
const email = z.string().trim().min(3).max(254).email('Email is not valid');

const SignupBody = z.object({
  companyName: z.string().trim().min(1, 'Company name is required').max(100),
  name: z.string().trim().min(1, 'Name is required').max(100),
  email,
  phone: z.string().trim().min(3, 'Phone is required').max(40),
  password,
  timeZone: z.string().trim().min(1).max(64).optional(),
});
const LoginBody = z.object({ email: z.string().max(254), password: z.string().max(200) });
const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
const AcceptBody = z.object({ token: z.string().min(1).max(200), name: z.string().trim().min(1, 'Name is required').max(100), password });
const InviteBody = z
  .object({
    email: z.string().max(254).optional(),
    emails: z.array(z.string().max(254)).max(500).optional(),
    csv: z.string().max(200_000).optional(),
    groupIds: z.array(z.number().int().positive()).max(100).default([]),
    roleId: z.number().int().positive().nullable().default(null),
  })
  .refine((b) => b.email !== undefined || b.emails !== undefined || b.csv !== undefined, { message: 'Give email, emails or csv' });
const OperatorParams = z.object({ id: z.coerce.number().int().positive() });

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new HttpError(400, fieldErrors(result.error));
  return result.data;
}

function validTimeZone(tz: string | undefined): string {
  if (!tz) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw new HttpError(400, { timeZone: 'Unknown time zone' });
  }
}

function clientAddress(req: FastifyRequest): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function accountRoutes(accounts: AccountService, ctx: ServerContext) {
  return async (app: FastifyInstance) => {
    app.post('/auth/signup', async (req, reply) => {
      const body = parse(SignupBody, req.body);
      const result = await accounts.signup({ ...body, timeZone: validTimeZone(body.timeZone) });
      ctx.log.info({ companyId: result.companyId, userId: result.userId }, 'company signed up');
      return sendData(reply, result);
    });

    app.post('/auth/login', async (req, reply) => {
      const body = parse(LoginBody, req.body);
      return sendData(reply, await accounts.login(body.email, body.password, clientAddress(req)));
    });

    app.post('/auth/refresh', async (req, reply) => {
      const body = parse(RefreshBody, req.body);
      return sendData(reply, await accounts.refresh(body.refreshToken));
    });

    app.post('/auth/logout', async (req, reply) => {
      const body = parse(RefreshBody, req.body);
      await accounts.logout(body.refreshToken);
      return sendData(reply, { success: true });
    });

    app.get('/auth/invitation', async (req, reply) => {
      const { token } = parse(z.object({ token: z.string().min(1).max(200) }), req.query);
      const info = await accounts.describeInvitation(token);
      if (!info) throw new HttpError(400, 'Invitation link is invalid or has expired');
      return sendData(reply, info);
    });

    app.post('/auth/accept-invite', async (req, reply) => {
      const body = parse(AcceptBody, req.body);
      return sendData(reply, await accounts.acceptInvitation(body.token, body.name, body.password));
    });

    app.get('/auth/me', async (req, reply) => {
      const { user } = await ctx.sessions.require(req);
      return sendData(reply, { id: user.id, companyId: user.companyId, name: user.name, email: user.email, isOwner: user.isOwner, groupIds: user.groupIds, roleId: user.roleId });
    });

    // ---- super-admin ----

    app.post('/admin/operators/invite', async (req, reply) => {
      const { user } = await ctx.sessions.requireOwner(req);
      const body = parse(InviteBody, req.body);
      const emails = [...(body.email !== undefined ? [body.email] : []), ...(body.emails ?? []), ...(body.csv !== undefined ? parseInvitationCsv(body.csv) : [])];
      const outcome = await accounts.invite(user.companyId, emails, body.groupIds, body.roleId);
      const base = ctx.publicUrl();
      return sendData(reply, {
        invited: outcome.invited.map((i) => ({ ...i, invitationUrl: `${base}/#/accept-invite?token=${encodeURIComponent(i.invitationToken)}` })),
        skipped: outcome.skipped,
      });
    });

    app.get('/admin/operators', async (req, reply) => {
      const { user } = await ctx.sessions.require(req);
      const state = await ctx.directory.get(user.companyId);
      if (!user.isOwner && !(await ctx.directory.actor(user.companyId, user.id))?.permissions.has('operators.view')) {
        throw new HttpError(403, 'Access denied');
      }
      const operators = [...state.users.values()].filter((u) => !u.deleted).map((u) => ({
        id: u.id, name: u.name, email: u.email, isOwner: u.isOwner, status: u.status, groupIds: u.groupIds, roleId: u.roleId, away: u.away,
      }));
      return sendData(reply, operators);
    });

    app.post('/admin/operators/:id/resend-invitation', async (req, reply) => {
      const { user } = await ctx.sessions.requireOwner(req);
      const { id } = parse(OperatorParams, req.params);
      const token = await accounts.resendInvitation(user.companyId, id);
      return sendData(reply, { invitationToken: token, invitationUrl: `${ctx.publicUrl()}/#/accept-invite?token=${encodeURIComponent(token)}` });
    });

    app.post('/admin/operators/:id/deactivate', async (req, reply) => {
      const { user } = await ctx.sessions.requireOwner(req);
      const { id } = parse(OperatorParams, req.params);
      await accounts.deactivate(user.companyId, id);
      return sendData(reply, { success: true });
    });

    app.post('/admin/operators/:id/reactivate', async (req, reply) => {
      const { user } = await ctx.sessions.requireOwner(req);
      const { id } = parse(OperatorParams, req.params);
      await accounts.reactivate(user.companyId, id);
      return sendData(reply, { success: true });
    });

    app.delete('/admin/operators/:id', async (req, reply) => {
      const { user } = await ctx.sessions.requireOwner(req);
      const { id } = parse(OperatorParams, req.params);
      await accounts.remove(user.companyId, id);
      return sendData(reply, { success: true });
    });

    app.post('/admin/api-token', async (req, reply) => {
      const { user } = await ctx.sessions.requireOwner(req);
      return sendData(reply, { token: await accounts.regenerateApiToken(user.companyId) });
    });

    app.get('/admin/api-token', async (req, reply) => {
      const { user } = await ctx.sessions.requireOwner(req);
      return sendData(reply, { token: await accounts.companyApiToken(user.companyId) });
    });
  };
}
