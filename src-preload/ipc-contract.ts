/**
 * The IPC contract shared by the preload (which sends) and the main process (which checks and
 * answers). Every channel carries the `switchboard:` prefix; every invoke channel has a schema for
 * its argument list, which the main process applies before any handler runs.
 */
import { z } from 'zod';
import type { HostInfo, NotificationRequest, SaveSessionResult, StoredSession } from './api';

export const IPC_PREFIX = 'switchboard:';

/** Renderer → main request/response channels (`ipcRenderer.invoke` / `ipcMain.handle`). */
export const InvokeChannel = {
  getInfo: 'switchboard:get-info',
  saveSession: 'switchboard:secrets:save-session',
  loadSession: 'switchboard:secrets:load-session',
  clearSession: 'switchboard:secrets:clear-session',
  notify: 'switchboard:notify',
  setBadge: 'switchboard:set-badge',
  openSettings: 'switchboard:open-settings',
  openExternal: 'switchboard:open-external',
} as const;

export type InvokeChannelName = (typeof InvokeChannel)[keyof typeof InvokeChannel];

/** Main → renderer events (`webContents.send` / `ipcRenderer.on`). */
export const EventChannel = {
  openConversation: 'switchboard:open-conversation',
} as const;

export type EventChannelName = (typeof EventChannel)[keyof typeof EventChannel];

/** Server-assigned ids are positive integers below 2^53 (product §0). */
export const entityIdSchema = z.int().positive().max(Number.MAX_SAFE_INTEGER);

const httpUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL');

export const storedSessionSchema = z.strictObject({
  serverUrl: httpUrlSchema,
  refreshToken: z.string().min(1).max(8192),
  userId: entityIdSchema,
  companyId: entityIdSchema,
});

export const notificationRequestSchema = z.strictObject({
  id: z.string().min(1).max(200),
  title: z.string().max(500),
  body: z.string().max(5000),
  conversationId: entityIdSchema.nullable(),
  silent: z.boolean().optional(),
  requireInteraction: z.boolean().optional(),
});

export const badgeCountSchema = z.int().min(0).max(1_000_000);

/** Any string: whether it may be opened is decided by the main process, which answers false. */
export const externalUrlArgumentSchema = z.string().max(8192);

const noArguments = z.tuple([]);

/** The argument list of every invoke channel, checked in the main process before its handler. */
export const invokeArgumentSchemas = {
  [InvokeChannel.getInfo]: noArguments,
  [InvokeChannel.saveSession]: z.tuple([storedSessionSchema]),
  [InvokeChannel.loadSession]: noArguments,
  [InvokeChannel.clearSession]: noArguments,
  [InvokeChannel.notify]: z.tuple([notificationRequestSchema]),
  [InvokeChannel.setBadge]: z.tuple([badgeCountSchema]),
  [InvokeChannel.openSettings]: noArguments,
  [InvokeChannel.openExternal]: z.tuple([externalUrlArgumentSchema]),
} as const satisfies Record<InvokeChannelName, z.ZodType<readonly unknown[]>>;

export type InvokeArguments<C extends InvokeChannelName> = z.output<(typeof invokeArgumentSchemas)[C]>;

/** What each invoke channel resolves to. */
export interface InvokeResults {
  [InvokeChannel.getInfo]: HostInfo;
  [InvokeChannel.saveSession]: SaveSessionResult;
  [InvokeChannel.loadSession]: StoredSession | null;
  [InvokeChannel.clearSession]: void;
  [InvokeChannel.notify]: void;
  [InvokeChannel.setBadge]: void;
  [InvokeChannel.openSettings]: void;
  [InvokeChannel.openExternal]: boolean;
}

/** The payload of each event channel. */
export interface EventPayloads {
  [EventChannel.openConversation]: number;
}

export const eventPayloadSchemas = {
  [EventChannel.openConversation]: entityIdSchema,
} as const satisfies Record<EventChannelName, z.ZodType>;

// Compile-time proof that the schemas accept exactly the bridge's types (api.ts).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ContractMatchesBridge = [
  Assert<Same<z.output<typeof storedSessionSchema>, StoredSession>>,
  Assert<Same<z.output<typeof notificationRequestSchema>, NotificationRequest>>,
];
