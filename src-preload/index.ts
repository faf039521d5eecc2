/**
 * The Electron preload. It runs sandboxed (CommonJS, only `electron` may be required) and exposes
 * the named methods of `SwitchboardBridge` as `window.switchboard`. The renderer never sees
 * `ipcRenderer`, IPC events or channel names.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL } from './api';
import type { SwitchboardBridge, Unsubscribe } from './api';
import { EventChannel, InvokeChannel, eventPayloadSchemas } from './ipc-contract';
import type { InvokeArguments, InvokeChannelName, InvokeResults } from './ipc-contract';

function invoke<C extends InvokeChannelName>(channel: C, ...args: InvokeArguments<C>): Promise<InvokeResults[C]> {
  return ipcRenderer.invoke(channel, ...args) as Promise<InvokeResults[C]>;
}

function readConversationId(payload: unknown): number | null {
  const parsed = eventPayloadSchemas[EventChannel.openConversation].safeParse(payload);
  return parsed.success ? parsed.data : null;
}

/**
 * Conversation-open requests can arrive before the renderer subscribed (a deep link or a
 * notification click that launched or re-created the window), so while nobody listens the newest
 * one waits here and goes to the first subscriber.
 */
let subscriberCount = 0;
let pendingConversationId: number | null = null;

ipcRenderer.on(EventChannel.openConversation, (_event: IpcRendererEvent, payload: unknown) => {
  const conversationId = readConversationId(payload);
  if (conversationId !== null && subscriberCount === 0) pendingConversationId = conversationId;
});

const bridge: SwitchboardBridge = {
  getInfo: () => invoke(InvokeChannel.getInfo),
  secrets: {
    saveSession: (session) => invoke(InvokeChannel.saveSession, session),
    loadSession: () => invoke(InvokeChannel.loadSession),
    clearSession: () => invoke(InvokeChannel.clearSession),
  },
  notify: (notification) => invoke(InvokeChannel.notify, notification),
  onOpenConversation(listener): Unsubscribe {
    // The renderer gets the id only: the IPC event would hand it `sender`, i.e. ipcRenderer.
    const onEvent = (_event: IpcRendererEvent, payload: unknown): void => {
      const conversationId = readConversationId(payload);
      if (conversationId !== null) listener(conversationId);
    };
    ipcRenderer.on(EventChannel.openConversation, onEvent);
    subscriberCount += 1;
    let subscribed = true;
    if (pendingConversationId !== null) {
      const conversationId = pendingConversationId;
      pendingConversationId = null;
      queueMicrotask(() => {
        if (subscribed) listener(conversationId);
      });
    }
    return () => {
      if (!subscribed) return;
      subscribed = false;
      subscriberCount -= 1;
      ipcRenderer.removeListener(EventChannel.openConversation, onEvent);
    };
  },
  setBadge: (count) => invoke(InvokeChannel.setBadge, count),
  openSettings: () => invoke(InvokeChannel.openSettings),
  openExternal: (url) => invoke(InvokeChannel.openExternal, url),
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
