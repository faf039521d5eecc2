/**
 * The worker side of the UI ↔ worker contract (`protocol.ts`): validates each incoming call at
 * the boundary and runs it on the WorkerApi. A malformed call or an unknown method gets a failure
 * response; nothing a message contains can crash the worker.
 */
import { TRANSITION_ACTIONS } from '../../src-core/conversation/types';
import type { WorkerApi, WorkerResponse } from './protocol';

type ArgCheck = (args: unknown[]) => string | null;

const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUlidLike = (v: unknown) => typeof v === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(v);

function arity(args: unknown[], min: number, max = min): string | null {
  // Structured clone keeps trailing `undefined`s: accept them as absent.
  let n = args.length;
  while (n > min && args[n - 1] === undefined) n--;
  if (n < min || n > max) return min === max ? `expects ${min} argument${min === 1 ? '' : 's'}` : `expects ${min} to ${max} arguments`;
  return null;
}

const conversationOnly: ArgCheck = (a) => arity(a, 1) ?? (isId(a[0]) ? null : 'conversationId must be a positive integer');

const CHECKS: Record<keyof WorkerApi, ArgCheck> = {
  start: (a) => {
    const bad = arity(a, 1);
    if (bad) return bad;
    const s = a[0];
    if (!isObj(s)) return 'session must be an object';
    if (typeof s.serverUrl !== 'string' || !/^https?:\/\//.test(s.serverUrl)) return 'serverUrl must be an http(s) URL';
    if (typeof s.accessToken !== 'string') return 'accessToken must be a string';
    if (!isId(s.userId) || !isId(s.companyId)) return 'userId and companyId must be positive integers';
    return null;
  },
  setAccessToken: (a) => arity(a, 1) ?? (typeof a[0] === 'string' && a[0].length > 0 ? null : 'token must be a non-empty string'),
  stop: (a) => arity(a, 0),
  wipe: (a) => arity(a, 0),
  transition: (a) => {
    const bad = arity(a, 2, 3) ?? conversationOnly([a[0]]);
    if (bad) return bad;
    if (!(TRANSITION_ACTIONS as readonly unknown[]).includes(a[1])) return 'unknown transition action';
    const t = a[2];
    if (t === undefined) return null;
    if (!isObj(t)) return 'targets must be an object';
    for (const k of Object.keys(t)) if (k !== 'operatorId' && k !== 'groupId') return `unknown target ${k}`;
    if (t.operatorId !== undefined && !isId(t.operatorId)) return 'operatorId must be a positive integer';
    if (t.groupId !== undefined && !isId(t.groupId)) return 'groupId must be a positive integer';
    return null;
  },
  send: (a) => arity(a, 3) ?? conversationOnly([a[0]]) ?? (a[1] === 'out' || a[1] === 'note' ? null : "kind must be 'out' or 'note'") ?? (typeof a[2] === 'string' ? null : 'text must be a string'),
  repair: (a) => arity(a, 3) ?? conversationOnly([a[0]]) ?? (isUlidLike(a[1]) ? null : 'messageId must be a message id')
    ?? (['send_anyway', 'discard', 'retry', 'mark_sent'].includes(a[2] as string) ? null : 'unknown repair action'),
  setTopic: (a) => arity(a, 3) ?? conversationOnly([a[0]]) ?? (isId(a[1]) ? null : 'topicId must be a positive integer') ?? (typeof a[2] === 'boolean' ? null : 'on must be a boolean'),
  setTag: (a) => arity(a, 3) ?? conversationOnly([a[0]]) ?? (typeof a[1] === 'string' ? null : 'tag must be a string') ?? (typeof a[2] === 'boolean' ? null : 'on must be a boolean'),
  rename: (a) => arity(a, 2) ?? conversationOnly([a[0]]) ?? (typeof a[1] === 'string' ? null : 'name must be a string'),
  markRead: conversationOnly,
  open: conversationOnly,
  showOlder: (a) => arity(a, 2) ?? conversationOnly([a[0]]) ?? (isId(a[1]) ? null : 'size must be a positive integer'),
  close: conversationOnly,
  prefetch: conversationOnly,
  setPresence: (a) => {
    const bad = arity(a, 1);
    if (bad) return bad;
    const p = a[0];
    if (!isObj(p)) return 'presence must be an object';
    if ((p.viewing !== null && !isId(p.viewing)) || (p.typing !== null && !isId(p.typing))) return 'viewing and typing must be conversation ids or null';
    if (typeof p.idle !== 'boolean') return 'idle must be a boolean';
    return null;
  },
};

export const WORKER_METHODS = Object.keys(CHECKS) as Array<keyof WorkerApi>;

/**
 * Runs one message from the UI thread. Returns the response to post back, or null when the
 * message is not a call at all (nothing to answer to).
 */
export async function handleWorkerRequest(api: WorkerApi, data: unknown): Promise<WorkerResponse | null> {
  if (!isObj(data) || data.type !== 'call') return null;
  const id = data.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
  const fail = (message: string): WorkerResponse => ({ type: 'failure', id, message });
  const method = data.method;
  if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(CHECKS, method)) return fail(`unknown method ${String(method)}`);
  const args = data.args;
  if (!Array.isArray(args)) return fail(`${method}: args must be an array`);
  const problem = CHECKS[method as keyof WorkerApi](args);
  if (problem) return fail(`${method}: ${problem}`);
  try {
    const fn = api[method as keyof WorkerApi] as (...a: unknown[]) => Promise<unknown>;
    const value = await fn.apply(api, args);
    return { type: 'result', id, value: value === undefined ? null : value };
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}
