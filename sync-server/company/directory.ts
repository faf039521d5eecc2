/**
 * The company directory: who the operators are, their groups and roles, held in memory per company
 * and rebuilt from the relational tables when an admin change invalidates it. It answers the
 * permission questions of every frame and mirrors itself into the company document, which every
 * operator of the company reads.
 */
import { CompanyDoc, type AccountChannelPublic, type OperatorGroup, type OperatorProfile, type Role, type Topic } from '../../src-core/company';
import { companyDocName } from '../../src-core/conversation/doc';
import type { Application } from '../../src-core/conversation/types';
import { makeActor, type Actor } from '../../src-core/permissions';
import type { DocManager } from '../docs/doc-manager';
import type { Storage, WriteTx } from '../storage/storage';

export interface DirectoryUser {
  id: number;
  companyId: number;
  email: string;
  name: string;
  isOwner: boolean;
  status: 'not_registered' | 'active' | 'deactivated';
  deleted: boolean;
  away: boolean;
  roleId: number | null;
  groupIds: number[];
  tokenVersion: number;
  accessEpoch: number;
}

export interface CompanyState {
  id: number;
  name: string;
  timeZone: string;
  ownerId: number | null;
  users: Map<number, DirectoryUser>;
  groups: Map<number, OperatorGroup>;
  roles: Map<number, Role>;
  accountChannels: Map<number, AccountChannelPublic>;
  topics: Map<number, Topic>;
}

export class CompanyDirectory {
  private readonly cache = new Map<number, Promise<CompanyState>>();
  private readonly listeners = new Set<(companyId: number) => void>();

  constructor(private readonly storage: Storage, private readonly docs: DocManager) {}

  /** Called after the directory of a company changed (sockets re-check their access). */
  onChanged(listener: (companyId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(companyId: number): Promise<CompanyState> {
    let state = this.cache.get(companyId);
    if (!state) {
      state = this.loadState(companyId);
      this.cache.set(companyId, state);
      state.catch(() => this.cache.delete(companyId));
    }
    return state;
  }

  private async loadState(companyId: number): Promise<CompanyState> {
    const db = this.storage.db;
    const company = await this.storage.first(db.selectFrom('companies').selectAll().where('id', '=', companyId));
    if (!company) throw new Error(`company ${companyId} does not exist`);
    const users = await this.storage.all(db.selectFrom('users').selectAll().where('company_id', '=', companyId));
    const groups = await this.storage.all(db.selectFrom('groups').selectAll().where('company_id', '=', companyId));
    const members = await this.storage.all(
      db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
        .select(['group_members.group_id', 'group_members.user_id']).where('groups.company_id', '=', companyId),
    );
    const roles = await this.storage.all(db.selectFrom('roles').selectAll().where('company_id', '=', companyId));
    const channels = await this.storage.all(db.selectFrom('account_channels').selectAll().where('company_id', '=', companyId));
    const topics = await this.storage.all(db.selectFrom('topics').selectAll().where('company_id', '=', companyId));
    const groupsOf = new Map<number, number[]>();
    for (const m of members) {
      if (!groupsOf.has(m.user_id)) groupsOf.set(m.user_id, []);
      groupsOf.get(m.user_id)!.push(m.group_id);
    }
    const state: CompanyState = {
      id: company.id,
      name: company.name,
      timeZone: company.time_zone,
      ownerId: company.owner_user_id,
      users: new Map(),
      groups: new Map(),
      roles: new Map(),
      accountChannels: new Map(),
      topics: new Map(),
    };
    for (const u of users) {
      state.users.set(u.id, {
        id: u.id, companyId: u.company_id, email: u.email, name: u.name, isOwner: u.is_owner === 1, status: u.status,
        deleted: u.deleted === 1, away: u.away === 1, roleId: u.role_id, groupIds: (groupsOf.get(u.id) ?? []).sort((a, b) => a - b),
        tokenVersion: u.token_version, accessEpoch: u.access_epoch,
      });
    }
    for (const g of groups) {
      state.groups.set(g.id, { id: g.id, name: g.name, priority: g.priority, color: g.color, isDefault: g.is_default === 1 });
    }
    for (const r of roles) state.roles.set(r.id, { id: r.id, name: r.name, permissions: JSON.parse(r.permissions) });
    for (const c of channels) {
      state.accountChannels.set(c.id, {
        id: c.id, application: c.application as Application, name: c.name, serviceUserId: c.service_user_id,
        status: c.status, tags: [], createdAt: c.created_at,
      });
    }
    for (const t of topics) state.topics.set(t.id, { id: t.id, title: t.title, color: t.color, archived: t.archived === 1 });
    return state;
  }

  /** Drops the cached state after a committed change and tells listeners. */
  invalidate(companyId: number): void {
    this.cache.delete(companyId);
    for (const l of this.listeners) l(companyId);
  }

  async actor(companyId: number, userId: number): Promise<Actor | null> {
    const state = await this.get(companyId);
    return actorOf(state, userId);
  }

  /**
   * Rewrites the company document from the relational tables inside a write section (only the
   * entries that differ are written). Call after any change of operators, groups, roles, apps or topics.
   */
  async writeCompanyDoc(tx: WriteTx, companyId: number): Promise<void> {
    const state = await this.loadState(companyId);
    const loaded = await this.docs.load(companyDocName(companyId), companyId);
    await this.docs.change(tx, loaded, 'server', (doc) => {
      const company = new CompanyDoc(doc);
      syncMap(company.operators, [...state.users.values()].map(profileOf));
      syncMap(company.groups, [...state.groups.values()]);
      syncMap(company.roles, [...state.roles.values()]);
      syncMap(company.accountChannels, [...state.accountChannels.values()]);
      syncMap(company.topics, [...state.topics.values()]);
      if (company.settings.get('name') !== state.name) company.settings.set('name', state.name);
      if (company.settings.get('timeZone') !== state.timeZone) company.settings.set('timeZone', state.timeZone);
    });
    tx.afterCommit(() => this.invalidate(companyId));
  }
}

export function actorOf(state: CompanyState, userId: number): Actor | null {
  const user = state.users.get(userId);
  if (!user || user.deleted || user.status !== 'active') return null;
  const role = user.roleId !== null ? state.roles.get(user.roleId) : undefined;
  return makeActor({ userId: user.id, companyId: state.id, isOwner: user.isOwner, groupIds: user.groupIds, permissions: role?.permissions ?? [] });
}

function profileOf(u: DirectoryUser): OperatorProfile {
  return {
    id: u.id, name: u.deleted ? `${u.name} (deleted)` : u.name, email: u.deleted ? '' : u.email, isOwner: u.isOwner,
    status: u.status, roleId: u.roleId, groupIds: u.groupIds, away: u.away, deleted: u.deleted,
  };
}

function syncMap<T extends { id: number }>(map: import('yjs').Map<T>, values: T[]): void {
  const keep = new Set<string>();
  for (const v of values) {
    const key = String(v.id);
    keep.add(key);
    const current = map.get(key);
    if (!current || JSON.stringify(current) !== JSON.stringify(v)) map.set(key, v);
  }
  for (const key of [...map.keys()]) if (!keep.has(key)) map.delete(key);
}
