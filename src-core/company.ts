/**
 * The company document (`company/<id>`): operators, groups, roles, account channels (public
 * metadata only), settings and topics. Written only by the server; every operator of the company
 * reads it. Values are plain JSON keyed by their integer id.
 */
import * as Y from 'yjs';
import type { Application } from './conversation/types';
import { makeActor, type Permission } from './permissions';

export type OperatorStatus = 'not_registered' | 'active' | 'deactivated';

export interface OperatorProfile {
  id: number;
  name: string;
  email: string;
  isOwner: boolean;
  status: OperatorStatus;
  roleId: number | null;
  groupIds: number[];
  /** The operator's own Away choice (product §6.2.4); presence is derived from it and connections. */
  away: boolean;
  deleted: boolean;
}

export interface OperatorGroup {
  id: number;
  name: string;
  priority: number;
  color: string;
  isDefault: boolean;
}

export interface Role {
  id: number;
  name: string;
  permissions: Permission[];
}

export interface AccountChannelPublic {
  id: number;
  application: Application;
  name: string;
  /** The account's own id on the platform (a Custom app's Custom app ID). */
  serviceUserId: string;
  status: 'enabled' | 'disabled' | 'error';
  tags: string[];
  createdAt: number;
}

/** A topic of the company's managed list (product §8.4): archived ones stay on old queries only. */
export interface Topic {
  id: number;
  title: string;
  /** `#rrggbb`. */
  color: string;
  archived: boolean;
}

export interface CompanySettings {
  name: string;
  timeZone: string;
}

export class CompanyDoc {
  readonly operators: Y.Map<OperatorProfile>;
  readonly groups: Y.Map<OperatorGroup>;
  readonly roles: Y.Map<Role>;
  readonly accountChannels: Y.Map<AccountChannelPublic>;
  readonly topics: Y.Map<Topic>;
  readonly settings: Y.Map<unknown>;

  constructor(readonly doc: Y.Doc) {
    this.operators = doc.getMap('operators');
    this.groups = doc.getMap('groups');
    this.roles = doc.getMap('roles');
    this.accountChannels = doc.getMap('accountChannels');
    this.topics = doc.getMap('topics');
    this.settings = doc.getMap('settings');
  }

  operator(id: number): OperatorProfile | undefined {
    return this.operators.get(String(id));
  }
  group(id: number): OperatorGroup | undefined {
    return this.groups.get(String(id));
  }
  role(id: number): Role | undefined {
    return this.roles.get(String(id));
  }
  accountChannel(id: number): AccountChannelPublic | undefined {
    return this.accountChannels.get(String(id));
  }
  listOperators(): OperatorProfile[] {
    return [...this.operators.values()].sort((a, b) => a.id - b.id);
  }
  listGroups(): OperatorGroup[] {
    return [...this.groups.values()].sort((a, b) => a.priority - b.priority);
  }
  defaultGroup(): OperatorGroup | undefined {
    return this.listGroups().find((g) => g.isDefault);
  }
  getSettings(): CompanySettings {
    return {
      name: (this.settings.get('name') as string) ?? '',
      timeZone: (this.settings.get('timeZone') as string) ?? 'UTC',
    };
  }
}

/** The acting user as the company document describes them (used on devices for optimistic state). */
export function actorFromCompanyDoc(company: CompanyDoc, userId: number, companyId: number): import('./permissions').Actor | null {
  const op = company.operator(userId);
  if (!op || op.deleted || op.status !== 'active') return null;
  const role = op.roleId !== null ? company.role(op.roleId) : undefined;
  return makeActor({ userId, companyId, isOwner: op.isOwner, groupIds: op.groupIds, permissions: role?.permissions ?? [] });
}
