/**
 * The signed-in runtime of the inbox window: the local database the screens read, and the sync
 * worker client that owns the socket and every write except drafts. One of each per session.
 */
import { createWorkerClient, type WorkerClient } from '../sync/client';
import { databaseName } from '../store/schema';
import { deleteStore } from '../store/db';
import { useLive, resetLive } from './live-state';
import { openInboxDb, primeCompany, primeTab, setCatchingUp, type InboxDb } from './store-access';
import { warmListFormats } from './format';
import { useUi } from './ui-state';
import { credentials, onTokens, refreshNow, type Credentials } from './tokens';
import { handleNotice } from './notifications';
import { toast } from './toasts';
import i18n from '../i18n';

let client: WorkerClient | null = null;
let db: InboxDb | null = null;
let openId: number | null = null;
let openSeq = 0;
/** Bumped by every start and stop: a start overtaken by a stop (or another start) gives up. */
let generation = 0;
let starting: Promise<void> | null = null;
/** The database of the runtime being started or running. */
let startedName: string | null = null;
const cleanups: Array<() => void> = [];

export function worker(): WorkerClient | null {
  return client;
}

export function database(): InboxDb | null {
  return db;
}

export function openConversationId(): number | null {
  return openId;
}

/**
 * Opens the user's database (the screens read it as soon as it is open) and starts the sync
 * worker beside the first render. `creds.accessToken` may still be empty: the worker asks for
 * one (`token-needed`) and gets the renewal in flight.
 */
export function startRuntime(creds: Credentials): Promise<void> {
  if (client) return Promise.resolve();
  if (!starting) {
    const gen = ++generation;
    const run = startNow(creds, gen).catch((err: unknown) => {
      // What waits for the first page (the dialogs, the counts) must not wait forever.
      if (gen === generation) useLive.setState({ firstPageRead: true });
      throw err;
    });
    starting = run;
    void run.finally(() => {
      if (starting === run) starting = null;
    }).catch(() => undefined);
  }
  return starting;
}

async function startNow(creds: Credentials, gen: number): Promise<void> {
  const name = databaseName(creds.serverUrl, creds.userId);
  startedName = name;
  const opened = await openInboxDb(name);
  if (gen !== generation) {
    // Stopped (signed out, session refused) while the database was opening.
    opened.close();
    return;
  }
  db = opened;
  // The first rows are read now, beside the first render of the inbox; the worker's own start
  // (its reads of the same database, then the catch-up's writes) waits for them.
  const firstPage = Promise.all([
    primeTab(opened, useUi.getState().tab),
    // The company (time zone, names) too, and the row formatters made while the page is read.
    primeCompany(opened).then((company) => warmListFormats(i18n.language, company?.timeZone || undefined)),
  ]).then(() => undefined, () => undefined);
  // The screens re-render for the database in a task of their own, after the reads are issued
  // (opening the database is work enough for the task that finished it).
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (gen !== generation) {
    opened.close();
    db = null;
    return;
  }
  useLive.setState({ db });
  // The worker script loads and compiles meanwhile.
  const c = createWorkerClient();
  client = c;

  cleanups.push(
    c.on('status', ({ status, pending }) => {
      setCatchingUp(status === 'syncing');
      useLive.setState({ connection: status, pending });
    }),
    c.on('token-needed', () => {
      refreshNow()
        .then(async (token) => {
          if (client === c) await c.setAccessToken(token);
        })
        .catch(() => undefined);
    }),
    c.on('conversation', (view) => {
      if (view.id === openId) useLive.setState({ view });
    }),
    c.on('revoked', ({ conversationId }) => {
      if (conversationId === openId) useLive.setState({ view: null, revokedId: conversationId });
    }),
    c.on('rejected', ({ unsent }) => {
      if (unsent > 0) toast(i18n.t('toast.rejectedKept', { count: unsent }), 'error', 10_000);
    }),
    c.on('presence', (presence) => useLive.setState({ presence })),
    c.on('notice', (notice) => handleNotice(notice)),
    c.on('error', ({ message }) => console.warn('[sync]', message)),
    onTokens((next) => {
      if (client === c && next.accessToken) c.setAccessToken(next.accessToken).catch(() => undefined);
    }),
  );

  await firstPage;
  if (client !== c) return;
  // In a task of its own: the list's first render is work enough for the task that read it.
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (client !== c) return;
  useLive.setState({ firstPageRead: true });
  await c.start({ serverUrl: creds.serverUrl, accessToken: credentials()?.accessToken || creds.accessToken, userId: creds.userId, companyId: creds.companyId });
  if (client !== c) return;
  useLive.setState({ workerReady: true });
  if (openId !== null) void openConversation(openId, true);
}

/** Stops syncing; with `wipe` the local database is deleted too (sign-out). */
export async function stopRuntime(opts: { wipe: boolean }): Promise<void> {
  generation++;
  starting = null;
  const c = client;
  client = null;
  openId = null;
  if (openTimer) clearTimeout(openTimer);
  openTimer = null;
  wanted = null;
  for (const off of cleanups.splice(0)) off();
  setCatchingUp(false);
  // Our own connection would block the deletion of the database.
  db?.close();
  db = null;
  resetLive();
  const name = startedName;
  startedName = null;
  if (!c) {
    // Signed out while the database was still opening (the worker did not exist yet): the
    // device's copy goes all the same.
    if (opts.wipe && name) await deleteStore(name).catch((err) => console.warn('[store] wipe failed', err));
    return;
  }
  try {
    if (opts.wipe) await c.wipe();
    else await c.stop();
  } catch (err) {
    console.warn('[sync] stop failed', err);
  } finally {
    c.dispose();
  }
}

/** Moving through the list quickly (j/k, arrows) only decodes the conversation the user stops at. */
const OPEN_DEBOUNCE_MS = 90;
/** After an open, how long the worker is left to the open conversation before the neighbours are decoded. */
const NEIGHBOUR_PREFETCH_DELAY_MS = 300;
let wanted: number | null = null;
let wantedAt = -Infinity;
let openTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * The user selected `id`: a selection after a pause opens at once (a click must not wait for a
 * debounce), one of a quick series opens once the series stops.
 */
export function requestOpen(id: number | null): void {
  if (id === wanted && (openTimer !== null || id === openId)) return;
  const now = performance.now();
  const inSeries = now - wantedAt < OPEN_DEBOUNCE_MS;
  wanted = id;
  wantedAt = now;
  if (openTimer) clearTimeout(openTimer);
  openTimer = null;
  if (id === null || !inSeries) {
    void openConversation(id);
    return;
  }
  openTimer = setTimeout(() => {
    openTimer = null;
    void openConversation(wanted);
  }, OPEN_DEBOUNCE_MS);
}

/**
 * Makes `id` the open conversation: the worker decodes it and then sends its changes. The
 * previous one is closed. Rapid changes (j/k through the list) only open the last one.
 */
export async function openConversation(id: number | null, force = false): Promise<void> {
  if (id === openId && !force) return;
  const previous = openId;
  openId = id;
  const seq = ++openSeq;
  useLive.setState((s) => ({ view: s.view && s.view.id === id ? s.view : null, revokedId: null }));
  const c = client;
  if (!c || !useLive.getState().workerReady) return;
  if (previous !== null && previous !== id) c.close(previous).catch(() => undefined);
  if (id === null) return;
  try {
    const view = await c.open(id);
    if (seq !== openSeq) return;
    if (view) useLive.setState({ view });
  } catch (err) {
    console.warn('[sync] open failed', err);
    return;
  }
  // The list neighbours are what j/k opens next: decoded once this conversation's first frames
  // are drawn (on two cores, decoding them at once slows those frames down).
  setTimeout(() => {
    if (seq !== openSeq) return;
    const ids = useUi.getState().listIds;
    const at = ids.indexOf(id);
    if (at >= 0) for (const next of [ids[at + 1], ids[at - 1]]) if (next !== undefined) prefetchConversation(next);
  }, NEIGHBOUR_PREFETCH_DELAY_MS);
}

/** The user is about to open `id` (pressed its row): the worker decodes it meanwhile. */
export function prefetchConversation(id: number): void {
  if (id === openId || !client || !useLive.getState().workerReady) return;
  client.prefetch(id).catch(() => undefined);
}

/**
 * Widens the open conversation's timeline to its `size` newest items (the reader scrolled up);
 * resolves once the wider view is shown (or the conversation was left meanwhile).
 */
export async function showOlder(id: number, size: number): Promise<void> {
  const c = client;
  if (!c || id !== openId) return;
  try {
    const view = await c.showOlder(id, size);
    if (view && view.id === openId) useLive.setState({ view });
  } catch (err) {
    console.warn('[sync] older messages failed', err);
  }
}
