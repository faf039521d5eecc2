/**
 * The company's managed topic list (product §8.4) over HTTP, for users with `settings.manage`
 * (the super-admin holds it): `GET /admin/topics`, `POST /admin/topics`, `PATCH /admin/topics/:id`.
 * Topics live in the relational `topics` table and reach every device through the company
 * document; queries carry the ids of their topics in their conversation documents.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Topic } from '../../src-core/company';
import { can } from '../../src-core/permissions';
import { parse } from '../accounts/routes';
import type { ServerContext } from '../context';
import { HttpError, sendData } from '../http/errors';
import type { WriteTx } from '../storage/storage';

/** Colours a new topic gets in turn when none is given. */
export const TOPIC_PALETTE = ['#1E88E5', '#43A047', '#FB8C00', '#8E24AA', '#E53935', '#00897B', '#6D4C41', '#3949AB'];

const title = z.string().trim().min(1, 'Title is required').max(64, 'Title is at most 64 characters');
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Colour is #rrggbb');
const CreateBody = z.object({ title, color: color.optional() }).strict();
const UpdateBody = z
  .object({ title: title.optional(), color: color.optional(), archived: z.boolean().optional() })
  .strict()
  .refine((b) => b.title !== undefined || b.color !== undefined || b.archived !== undefined, { message: 'Nothing to change' });
const TopicParams = z.object({ id: z.coerce.number().int().positive() });

export class TopicService {
  constructor(private readonly ctx: ServerContext, private readonly clock: () => number = Date.now) {}

  async list(companyId: number): Promise<Topic[]> {
    const state = await this.ctx.directory.get(companyId);
    return [...state.topics.values()].sort((a, b) => a.id - b.id);
  }

  async create(companyId: number, input: { title: string; color?: string }): Promise<Topic> {
    const { storage, directory } = this.ctx;
    return storage.write(async (tx) => {
      await this.assertTitleFree(tx, companyId, input.title, null);
      const count = (await tx.first(storage.db.selectFrom('topics').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId)))?.n ?? 0;
      const topicColor = (input.color ?? TOPIC_PALETTE[Number(count) % TOPIC_PALETTE.length]).toUpperCase();
      const res = await tx.run(storage.db.insertInto('topics').values({
        company_id: companyId, title: input.title, color: topicColor, archived: 0, created_at: this.clock(),
      }));
      await directory.writeCompanyDoc(tx, companyId);
      return { id: res.insertId!, title: input.title, color: topicColor, archived: false };
    });
  }

  /** Renames, recolours, archives or restores a topic. */
  async update(companyId: number, id: number, patch: { title?: string; color?: string; archived?: boolean }): Promise<Topic> {
    const { storage, directory } = this.ctx;
    return storage.write(async (tx) => {
      const row = await tx.first(storage.db.selectFrom('topics').selectAll().where('id', '=', id).where('company_id', '=', companyId));
      if (!row) throw new HttpError(404, 'Topic not found');
      if (patch.title !== undefined) await this.assertTitleFree(tx, companyId, patch.title, id);
      const next = {
        title: patch.title ?? row.title,
        color: (patch.color ?? row.color).toUpperCase(),
        archived: patch.archived === undefined ? row.archived : patch.archived ? 1 : 0,
      };
      await tx.run(storage.db.updateTable('topics').set(next).where('id', '=', id));
      await directory.writeCompanyDoc(tx, companyId);
      return { id, title: next.title, color: next.color, archived: next.archived === 1 };
    });
  }

  /** Titles are unique per company regardless of case (product §8.4, §9 "uniqueness rules"). */
  private async assertTitleFree(tx: WriteTx, companyId: number, candidate: string, except: number | null): Promise<void> {
    const lower = candidate.toLocaleLowerCase();
    // Read in the write section: a topic created earlier in the same batch is not in the directory yet.
    const rows = await tx.all(this.ctx.storage.db.selectFrom('topics').select(['id', 'title']).where('company_id', '=', companyId));
    for (const row of rows) {
      if (row.id !== except && row.title.toLocaleLowerCase() === lower) throw new HttpError(409, { title: 'A topic with this title already exists' });
    }
  }
}

export function topicRoutes(ctx: ServerContext) {
  const topics = new TopicService(ctx);
  const requireManager = async (req: FastifyRequest) => {
    const { user } = await ctx.sessions.require(req);
    const actor = await ctx.directory.actor(user.companyId, user.id);
    if (!actor || !can(actor, 'settings.manage')) throw new HttpError(403, 'Access denied');
    return user;
  };
  return async (app: FastifyInstance) => {
    app.get('/admin/topics', async (req, reply) => {
      // Every operator sees the list (it is in the company document too); managing it is restricted.
      const { user } = await ctx.sessions.require(req);
      return sendData(reply, await topics.list(user.companyId));
    });

    app.post('/admin/topics', async (req, reply) => {
      const user = await requireManager(req);
      const body = parse(CreateBody, req.body);
      return sendData(reply, await topics.create(user.companyId, body));
    });

    app.patch('/admin/topics/:id', async (req, reply) => {
      const user = await requireManager(req);
      const { id } = parse(TopicParams, req.params);
      const body = parse(UpdateBody, req.body);
      return sendData(reply, await topics.update(user.companyId, id, body));
    });
  };
}
