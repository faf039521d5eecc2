/**
 * The sync Web Worker (a module worker; `client.ts` creates it with
 * `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`, which Vite bundles).
 * It owns the socket and the Dexie writes through SyncWorkerCore and answers the UI's calls.
 */
import type { WorkerResponse } from './protocol';
import { handleWorkerRequest } from './rpc';
import { SyncWorkerCore } from './worker-core';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/**
 * Documents per catch-up batch: each batch costs one read and one write transaction on this
 * device's store, so fewer, larger batches spend less of the catch-up on transaction overhead.
 */
const CATCH_UP_BATCH = 250;

function post(message: WorkerResponse): void {
  try {
    scope.postMessage(message);
  } catch (err) {
    // A payload that cannot be cloned must not take the worker down.
    if (message.type === 'result') scope.postMessage({ type: 'failure', id: message.id, message: `result not transferable: ${(err as Error).message}` });
  }
}

const core = new SyncWorkerCore({
  emit: (event, payload) => post({ type: 'event', event, payload } as WorkerResponse),
  batchSize: CATCH_UP_BATCH,
});

scope.addEventListener('message', (ev: MessageEvent) => {
  void handleWorkerRequest(core, ev.data).then(
    (response) => {
      if (response) post(response);
    },
    (err) => post({ type: 'event', event: 'error', payload: { message: `worker call failed: ${(err as Error).message}` } }),
  );
});

scope.addEventListener('unhandledrejection', (ev: PromiseRejectionEvent) => {
  ev.preventDefault();
  post({ type: 'event', event: 'error', payload: { message: String((ev.reason as Error)?.message ?? ev.reason) } });
});
