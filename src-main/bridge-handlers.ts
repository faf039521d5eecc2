/**
 * Connects every bridge method (src-preload/api.ts) to the main-process service that does it.
 * The router has already checked the sender and parsed the arguments when a handler runs.
 */
import type { HostInfo, NotificationRequest, SaveSessionResult, StoredSession } from '../src-preload/api';
import { InvokeChannel, invokeArgumentSchemas } from '../src-preload/ipc-contract';
import type { IpcRouter } from './ipc';

export interface BridgeServices {
  hostInfo(): HostInfo;
  sessions: {
    save(session: StoredSession): Promise<SaveSessionResult>;
    load(): Promise<StoredSession | null>;
    clear(): Promise<void>;
  };
  notifications: { show(notification: NotificationRequest): void };
  badge: { setUnreadCount(count: number): void };
  openSettings(): void;
  openExternal(url: string): Promise<boolean>;
}

export function registerBridgeHandlers(router: IpcRouter, services: BridgeServices): void {
  const schemas = invokeArgumentSchemas;
  router.handle(InvokeChannel.getInfo, schemas[InvokeChannel.getInfo], () => services.hostInfo());
  router.handle(InvokeChannel.saveSession, schemas[InvokeChannel.saveSession], ([session]) =>
    services.sessions.save(session),
  );
  router.handle(InvokeChannel.loadSession, schemas[InvokeChannel.loadSession], () => services.sessions.load());
  router.handle(InvokeChannel.clearSession, schemas[InvokeChannel.clearSession], () => services.sessions.clear());
  router.handle(InvokeChannel.notify, schemas[InvokeChannel.notify], ([notification]) => {
    services.notifications.show(notification);
  });
  router.handle(InvokeChannel.setBadge, schemas[InvokeChannel.setBadge], ([count]) => {
    services.badge.setUnreadCount(count);
  });
  router.handle(InvokeChannel.openSettings, schemas[InvokeChannel.openSettings], () => {
    services.openSettings();
  });
  router.handle(InvokeChannel.openExternal, schemas[InvokeChannel.openExternal], ([url]) =>
    services.openExternal(url),
  );
}
