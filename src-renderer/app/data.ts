/**
 * Reads of the local store for the screens, each an indexed live query (ARCHITECTURE "The local
 * store": the list, counts and search never decode a document).
 */
import { useDeferredValue, useMemo } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import type { CompanyRecord, ConversationRecord } from '../store/schema';
import type { OperatorGroup, OperatorProfile, AccountChannelPublic } from '../../src-core/company';
import { makeActor, can, type Actor, type Permission } from '../../src-core/permissions';
import { useLive } from './live-state';
import { useSession } from './session';
import { countBadge, countTabs, primedCompany, useStoreQuery, type InboxDb, type TabCounts } from './store-access';

export function useDb(): InboxDb | null {
  return useLive((s) => s.db);
}

export function useCompany(): CompanyRecord | undefined {
  const db = useDb();
  // Until the live query answers, the record read as the database opened.
  return useLiveQuery(async () => (db ? db.company.get('current') : undefined), [db], db ? primedCompany(db) : undefined);
}

export interface Directory {
  company: CompanyRecord | undefined;
  operators: Map<number, OperatorProfile>;
  groups: Map<number, OperatorGroup>;
  accounts: Map<number, AccountChannelPublic>;
  timeZone: string | undefined;
}

/** The company record indexed by id: operators, groups, account channels. */
export function useDirectory(): Directory {
  const company = useCompany();
  return useMemo(() => ({
    company,
    operators: new Map((company?.operators ?? []).map((o) => [o.id, o])),
    groups: new Map((company?.groups ?? []).map((g) => [g.id, g])),
    accounts: new Map((company?.accountChannels ?? []).map((a) => [a.id, a])),
    timeZone: company?.timeZone || undefined,
  }), [company]);
}

export interface Viewer {
  id: number;
  name: string;
  isOwner: boolean;
  groupIds: number[];
  actor: Actor;
}

/** The signed-in user with their current groups and role (the company record wins over sign-in data). */
export function useViewer(): Viewer | null {
  const userId = useSession((s) => s.userId);
  const companyId = useSession((s) => s.companyId);
  const company = useCompany();
  // The sign-in data only fills in for a profile the company record lacks: once the record has
  // it, the renewal's answer arriving after the first paint re-renders nothing.
  const hasProfile = company?.operators.some((o) => o.id === userId) ?? false;
  const me = useSession((s) => (hasProfile ? null : s.me));
  return useMemo(() => {
    if (userId === null || companyId === null) return null;
    const profile = company?.operators.find((o) => o.id === userId);
    const isOwner = profile?.isOwner ?? me?.isOwner ?? false;
    const groupIds = profile?.groupIds ?? me?.groupIds ?? [];
    const roleId = profile ? profile.roleId : me?.roleId ?? null;
    const role = roleId !== null ? company?.roles.find((r) => r.id === roleId) : undefined;
    const actor = makeActor({ userId, companyId, isOwner, groupIds, permissions: role?.permissions ?? [] });
    return { id: userId, name: profile?.name ?? me?.name ?? '', isOwner, groupIds, actor };
  }, [me, userId, companyId, company]);
}

export function useCan(permission: Permission): boolean {
  const viewer = useViewer();
  return viewer ? can(viewer.actor, permission) : false;
}

export type { TabCounts };

const NO_COUNTS: TabCounts = { unassigned: 0, mine: 0, mineUnread: 0, closed: 0 };

/** The database once the first list page is read (see LiveState.firstPageRead). */
function useDbAfterFirstPage(): InboxDb | null {
  const db = useDb();
  const ready = useDeferredValue(useLive((s) => s.firstPageRead));
  return ready ? db : null;
}

export function useTabCounts(): TabCounts {
  const db = useDbAfterFirstPage();
  return useStoreQuery(db, ['conversations'], countTabs, [], 250) ?? NO_COUNTS;
}

/**
 * The badge of product §9: My inbox conversations with unread client messages, plus the
 * Unassigned requests this user could take (not distributing, not locked); counted by index,
 * re-counted at most once a second.
 */
export function useBadgeCount(includeUnassigned = true): number {
  const db = useDbAfterFirstPage();
  return useStoreQuery(db, ['conversations'], (d) => countBadge(d, includeUnassigned), [includeUnassigned], 1000) ?? 0;
}

/**
 * One conversation's row: undefined while loading, null when this device does not hold it.
 * While a new id loads, the previous id's row is never returned (useLiveQuery keeps the last
 * result): acting on it (t, e) would act on the wrong conversation.
 */
export function useRow(id: number | null): ConversationRecord | undefined | null {
  const db = useDb();
  const result = useLiveQuery(async () => {
    if (!db || id === null) return { id, row: null };
    return { id, row: (await db.conversations.get(id)) ?? null };
  }, [db, id]);
  if (!result || result.id !== id) return id === null ? null : undefined;
  return result.row;
}
