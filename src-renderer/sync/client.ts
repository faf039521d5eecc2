/**
 * The UI thread's handle on the sync worker: every WorkerApi method as a promise (one per call
 * id, over postMessage), plus `on(event, listener)` for what the worker reports.
 */
import type { WorkerApi, WorkerEvents, WorkerRequest, WorkerResponse } from './protocol';
import { handleWorkerRequest } from './rpc';
import type { SyncWorkerCore } from './worker-core';

export type WorkerEventListener<K extends keyof WorkerEvents> = (payload: WorkerEvents[K]) => void;

export interface WorkerClient extends WorkerApi {
  /** Listens to a worker event; returns the unsubscribe function. */
  on<K extends keyof WorkerEvents>(event: K, listener: WorkerEventListener<K>): () => void;
  /** Ends the connection to the worker (terminates a real worker); pending calls fail. */
  dispose(): void;
}

/** The message channel the client talks over: a Worker, a MessagePort, or a test double. */
export interface WorkerPort {
  postMessage(message: WorkerRequest): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
}

/** A Worker also reports its own failure (a script that did not load, an uncaught error). */
interface FailingPort {
  addEventListener(type: 'error', listener: (ev: { message?: string }) => void): void;
}

type AnyListener = (payload: unknown) => void;

class Listeners {
  private readonly byEvent = new Map<string, Set<AnyListener>>();

  on(event: string, listener: AnyListener): () => void {
    if (!this.byEvent.has(event)) this.byEvent.set(event, new Set());
    this.byEvent.get(event)!.add(listener);
    return () => void this.byEvent.get(event)?.delete(listener);
  }

  fire(event: string, payload: unknown): void {
    for (const l of [...(this.byEvent.get(event) ?? [])]) {
      try {
        l(payload);
      } catch (err) {
        console.error(`[sync] ${event} listener failed`, err);
      }
    }
  }
}

function facade(call: (method: keyof WorkerApi, args: unknown[]) => Promise<unknown>, listeners: Listeners, dispose: () => void): WorkerClient {
  const c = <T>(method: keyof WorkerApi, ...args: unknown[]) => call(method, args) as Promise<T>;
  return {
    start: (session) => c('start', session),
    setAccessToken: (token) => c('setAccessToken', token),
    stop: () => c('stop'),
    wipe: () => c('wipe'),
    transition: (conversationId, action, targets) => c('transition', conversationId, action, targets),
    send: (conversationId, kind, text) => c('send', conversationId, kind, text),
    repair: (conversationId, messageId, action) => c('repair', conversationId, messageId, action),
    setTopic: (conversationId, topicId, on) => c('setTopic', conversationId, topicId, on),
    setTag: (conversationId, tag, on) => c('setTag', conversationId, tag, on),
    rename: (conversationId, name) => c('rename', conversationId, name),
    markRead: (conversationId) => c('markRead', conversationId),
    open: (conversationId) => c('open', conversationId),
    showOlder: (conversationId, size) => c('showOlder', conversationId, size),
    close: (conversationId) => c('close', conversationId),
    prefetch: (conversationId) => c('prefetch', conversationId),
    setPresence: (state) => c('setPresence', state),
    on: (event, listener) => listeners.on(event, listener as AnyListener),
    dispose,
  };
}

/** A client over any message port (the real worker, or a MessageChannel in tests). */
export function createPortClient(port: WorkerPort, onDispose: () => void = () => undefined): WorkerClient {
  const listeners = new Listeners();
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let disposed = false;
  const onMessage = (ev: { data: unknown }) => {
    const msg = ev.data as WorkerResponse;
    if (typeof msg !== 'object' || msg === null) return;
    if (msg.type === 'event') {
      listeners.fire(msg.event, msg.payload);
      return;
    }
    const waiting = pending.get(msg.id);
    if (!waiting) return;
    pending.delete(msg.id);
    if (msg.type === 'result') waiting.resolve(msg.value === null ? undefined : msg.value);
    else waiting.reject(new Error(msg.message));
  };
  port.addEventListener('message', onMessage);
  if (typeof Worker !== 'undefined' && port instanceof Worker) {
    (port as unknown as FailingPort).addEventListener('error', (ev) => {
      const message = ev.message || 'The sync worker failed';
      // Calls in flight may never be answered: fail them rather than leave the UI waiting.
      for (const w of pending.values()) w.reject(new Error(message));
      pending.clear();
      listeners.fire('error', { message });
    });
  }
  const call = (method: keyof WorkerApi, args: unknown[]) => {
    if (disposed) return Promise.reject(new Error('The sync worker is gone'));
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      try {
        port.postMessage({ type: 'call', id, method, args });
      } catch (err) {
        pending.delete(id);
        reject(err as Error);
      }
    });
  };
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    port.removeEventListener('message', onMessage);
    for (const w of pending.values()) w.reject(new Error('The sync worker is gone'));
    pending.clear();
    onDispose();
  };
  // `open` answers null for an unknown conversation: keep null rather than undefined.
  const client = facade(call, listeners, dispose);
  const open = client.open;
  client.open = async (id) => ((await open(id)) ?? null);
  const showOlder = client.showOlder;
  client.showOlder = async (id, size) => ((await showOlder(id, size)) ?? null);
  return client;
}

/** Starts the sync worker (a module worker Vite bundles) and returns its client. */
export function createWorkerClient(): WorkerClient {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'switchboard-sync' });
  return createPortClient(worker as unknown as WorkerPort, () => worker.terminate());
}

/**
 * The same client over a core running in this thread (tests, tools). Arguments and results are
 * structured-cloned and calls validated exactly as the worker does, so a test sees what the UI
 * would see across the worker boundary.
 */
export function createInThreadClient(core: SyncWorkerCore): WorkerClient {
  const listeners = new Listeners();
  const off = core.onEvent((event, payload) => listeners.fire(event, structuredClone(payload)));
  let disposed = false;
  let nextId = 1;
  const call = async (method: keyof WorkerApi, args: unknown[]) => {
    if (disposed) throw new Error('The sync worker is gone');
    const response = await handleWorkerRequest(core, { type: 'call', id: nextId++, method, args: structuredClone(args) });
    if (!response || response.type === 'event') throw new Error('no response');
    if (response.type === 'failure') throw new Error(response.message);
    return response.value === null ? undefined : structuredClone(response.value);
  };
  const client = facade(call, listeners, () => {
    disposed = true;
    off();
  });
  const open = client.open;
  client.open = async (id) => ((await open(id)) ?? null);
  const showOlder = client.showOlder;
  client.showOlder = async (id, size) => ((await showOlder(id, size)) ?? null);
  return client;
}
