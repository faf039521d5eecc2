import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createPortClient, type WorkerPort } from './client';
import type { WorkerApi, WorkerResponse } from './protocol';
import { WORKER_METHODS, handleWorkerRequest } from './rpc';

/** A WorkerApi that records its calls. */
function recordingApi(): { api: WorkerApi; calls: Array<[string, unknown[]]> } {
  const calls: Array<[string, unknown[]]> = [];
  const api = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const m of WORKER_METHODS) {
    api[m] = async (...args: unknown[]) => {
      calls.push([m, args]);
      if (m === 'send') return { messageId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' };
      if (m === 'open') return null;
      if (m === 'rename' && args[1] === 'boom') throw new Error('Access denied');
      return undefined;
    };
  }
  return { api: api as unknown as WorkerApi, calls };
}

const call = (method: unknown, args: unknown, id = 1) => ({ type: 'call', id, method, args });

describe('the worker’s call boundary', () => {
  it('runs valid calls and answers with their results', async () => {
    const { api, calls } = recordingApi();
    expect(await handleWorkerRequest(api, call('send', [5, 'out', 'hi'], 7))).toEqual({ type: 'result', id: 7, value: { messageId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } });
    expect(await handleWorkerRequest(api, call('transition', [5, 'transfer_group', { groupId: 2 }]))).toEqual({ type: 'result', id: 1, value: null });
    expect(await handleWorkerRequest(api, call('transition', [5, 'take', undefined]))).toMatchObject({ type: 'result' });
    expect(await handleWorkerRequest(api, call('setPresence', [{ viewing: null, typing: 3, idle: true }]))).toMatchObject({ type: 'result' });
    expect(calls.map((c) => c[0])).toEqual(['send', 'transition', 'transition', 'setPresence']);
  });

  it('answers unknown methods and malformed arguments with a failure, and never calls the API', async () => {
    const { api, calls } = recordingApi();
    const bad: Array<[unknown, unknown, RegExp]> = [
      ['explode', [], /unknown method explode/],
      ['constructor', [], /unknown method/],
      ['__proto__', [], /unknown method/],
      ['toString', [], /unknown method/],
      ['send', 'not an array', /args must be an array/],
      ['send', [5, 'out'], /expects 3 arguments/],
      ['send', ['5', 'out', 'x'], /conversationId/],
      ['send', [5, 'shout', 'x'], /kind/],
      ['send', [5, 'out', 42], /text must be a string/],
      ['send', [1.5, 'out', 'x'], /conversationId/],
      ['transition', [5, 'take', { operatorId: 'me' }], /operatorId/],
      ['transition', [5, 'take', { hack: 1 }], /unknown target/],
      ['transition', [5, 'fly'], /unknown transition action/],
      ['repair', [5, 'not-a-ulid', 'retry'], /messageId/],
      ['repair', [5, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'undo'], /unknown repair action/],
      ['setTopic', [5, 0, true], /topicId/],
      ['setTag', [5, 'vip', 'yes'], /boolean/],
      ['start', [{ serverUrl: 'ftp://x', accessToken: 't', userId: 1, companyId: 1 }], /serverUrl/],
      ['start', [{ serverUrl: 'http://x', accessToken: 't', userId: 0, companyId: 1 }], /userId/],
      ['start', [null], /session must be an object/],
      ['setAccessToken', [''], /token/],
      ['setPresence', [{ viewing: 'all', typing: null, idle: false }], /viewing/],
      ['stop', [1], /expects 0 arguments/],
      ['open', [], /expects 1 argument/],
    ];
    for (const [method, args, message] of bad) {
      const res = await handleWorkerRequest(api, call(method, args, 3));
      expect(res, `${String(method)} ${JSON.stringify(args)}`).toMatchObject({ type: 'failure', id: 3 });
      expect((res as { message: string }).message).toMatch(message);
    }
    expect(calls).toEqual([]);
  });

  it('ignores what is not a call, and reports a failing call as a failure', async () => {
    const { api } = recordingApi();
    for (const junk of [null, 42, 'call', [], { type: 'event' }, { type: 'call', id: 'x', method: 'stop', args: [] }]) {
      expect(await handleWorkerRequest(api, junk)).toBeNull();
    }
    expect(await handleWorkerRequest(api, call('rename', [5, 'boom'], 9))).toEqual({ type: 'failure', id: 9, message: 'Access denied' });
  });
});

describe('the UI-thread client over a message port', () => {
  const ports: MessagePort[] = [];
  afterEach(() => {
    for (const p of ports.splice(0)) p.close();
  });

  function connect(api: WorkerApi) {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    // The worker side: answer calls, and let the test push events.
    port2.on('message', (data: unknown) => {
      void handleWorkerRequest(api, data).then((res) => res && port2.postMessage(res));
    });
    const uiPort: WorkerPort = {
      postMessage: (m) => port1.postMessage(m),
      addEventListener: (_type, listener) => port1.on('message', (data: unknown) => listener({ data })),
      removeEventListener: () => port1.removeAllListeners('message'),
    };
    const client = createPortClient(uiPort);
    return { client, emit: (res: WorkerResponse) => port2.postMessage(res) };
  }

  it('resolves each call with its own answer and delivers events to listeners until unsubscribed', async () => {
    const { api } = recordingApi();
    const { client, emit } = connect(api);
    const [sent, opened] = await Promise.all([client.send(1, 'note', 'x'), client.open(2)]);
    expect(sent).toEqual({ messageId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    expect(opened).toBeNull();
    await expect(client.rename(1, 'boom')).rejects.toThrow('Access denied');
    await expect(client.markRead(-1)).rejects.toThrow(/conversationId/);

    const statuses: unknown[] = [];
    const off = client.on('status', (s) => statuses.push(s));
    emit({ type: 'event', event: 'status', payload: { status: 'online', pending: 2 } });
    await new Promise((r) => setTimeout(r, 20));
    off();
    emit({ type: 'event', event: 'status', payload: { status: 'offline', pending: 2 } });
    await new Promise((r) => setTimeout(r, 20));
    expect(statuses).toEqual([{ status: 'online', pending: 2 }]);

    client.dispose();
    await expect(client.stop()).rejects.toThrow(/gone/);
  });
});
