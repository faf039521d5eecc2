/**
 * A stand-in for the `electron` module in unit tests (no Electron binary exists on the build
 * machines). Use it with `vi.mock('electron', () => import('./testing/fake-electron'))` and call
 * `resetFakeElectron()` before each test. It records what the code under test asked Electron to
 * do and lets tests fire the events Electron would fire.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeEvent {
  defaultPrevented = false;
  /** Navigation events carry their target URL on the event. */
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  loading = true;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;

  isLoading(): boolean {
    return this.loading;
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  /** What Electron does when the page finished loading. */
  finishLoad(): void {
    this.loading = false;
    this.emit('did-finish-load');
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loadedUrls: string[] = [];
  visible = false;
  minimized = false;
  destroyed = false;
  focusCount = 0;
  overlay: { image: unknown; description: string } | null = null;

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  restore(): void {
    this.minimized = false;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focusCount += 1;
  }
  setOverlayIcon(image: unknown, description: string): void {
    this.overlay = image === null ? null : { image, description };
  }
  /** Like a user closing the window: 'close' may be cancelled, otherwise the window is gone. */
  close(): void {
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  closed = false;

  constructor(readonly options: { title: string; body: string; silent?: boolean; timeoutType?: string }) {
    super();
    FakeNotification.instances.push(this);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
  /** Notifications currently on screen. */
  static onScreen(): FakeNotification[] {
    return FakeNotification.instances.filter((notification) => notification.shown && !notification.closed);
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  tooltip = '';
  title = '';
  menu: FakeMenu | null = null;
  destroyed = false;

  constructor(readonly image: unknown) {
    super();
    FakeTray.instances.push(this);
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface FakeMenuItem {
  label?: string;
  type?: string;
  click?: () => void;
}

export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
}

export const Menu = {
  buildFromTemplate: (items: FakeMenuItem[]): FakeMenu => new FakeMenu(items),
};

export class FakeNativeImage {
  template = false;
  constructor(
    readonly pixels: Buffer,
    readonly options: { width: number; height: number; scaleFactor?: number },
  ) {}
  setTemplateImage(template: boolean): void {
    this.template = template;
  }
}

export const nativeImage = {
  createFromBitmap: (pixels: Buffer, options: { width: number; height: number; scaleFactor?: number }) =>
    new FakeNativeImage(pixels, options),
};

class FakeApp extends EventEmitter {
  isPackaged = false;
  singleInstanceLock = true;
  ready = false;
  userDataPath = '/nonexistent-user-data';
  private resolveReady: () => void = () => {};
  private readyPromise = new Promise<void>((resolve) => {
    this.resolveReady = resolve;
  });

  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly setBadgeCount = vi.fn((_count?: number) => true);
  readonly setAsDefaultProtocolClient = vi.fn((_protocol: string, _path?: string, _args?: string[]) => true);
  readonly setAppUserModelId = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => this.singleInstanceLock);

  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`fake app.getPath: unexpected ${name}`);
    return this.userDataPath;
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  isReady(): boolean {
    return this.ready;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  reset(): void {
    this.removeAllListeners();
    this.isPackaged = false;
    this.singleInstanceLock = true;
    this.ready = false;
    this.userDataPath = '/nonexistent-user-data';
    this.readyPromise = new Promise<void>((resolve) => {
      this.resolveReady = resolve;
    });
    const mocks = [
      this.quit,
      this.exit,
      this.setBadgeCount,
      this.setAsDefaultProtocolClient,
      this.setAppUserModelId,
      this.requestSingleInstanceLock,
    ];
    for (const mock of mocks) mock.mockClear();
  }

  /** What Electron does once it has started. */
  becomeReady(): void {
    this.ready = true;
    this.resolveReady();
    this.emit('ready');
  }
}

export const app = new FakeApp();

type InvokeListener = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, InvokeListener>(),
  handle(channel: string, listener: InvokeListener): void {
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    ipcMain.handlers.delete(channel);
  },
  /** Calls a handler the way Electron does for `ipcRenderer.invoke(channel, ...args)`. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  },
};

export const shell = {
  openExternal: vi.fn(async (_url: string) => {}),
};

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    protocol.handlers.set(scheme, handler);
  },
};

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

export class FakeSession {
  headersListener: HeadersListener | null = null;
  permissionRequestHandler: ((...args: never[]) => void) | null = null;
  permissionCheckHandler: ((...args: never[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: never[]) => boolean) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener): void => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: (...args: never[]) => void): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: (...args: never[]) => boolean): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: (...args: never[]) => boolean): void {
    this.devicePermissionHandler = handler;
  }
}

export const session = { defaultSession: new FakeSession() };

/** A reversible stand-in for OS encryption whose output never contains the plaintext. */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  isEncryptionAvailable: (): boolean => safeStorage.available,
  getSelectedStorageBackend: (): string => safeStorage.backend,
  encryptString: vi.fn((plain: string): Buffer => {
    if (!safeStorage.available) throw new Error('Encryption is not available.');
    return Buffer.concat([Buffer.from('FAKEENC:'), Buffer.from(plain, 'utf8').map((byte) => byte ^ 0x5a)]);
  }),
  decryptString: vi.fn((encrypted: Buffer): string => {
    const prefix = Buffer.from('FAKEENC:');
    if (!encrypted.subarray(0, prefix.length).equals(prefix)) throw new Error('Error while decrypting the ciphertext');
    return Buffer.from(encrypted.subarray(prefix.length).map((byte) => byte ^ 0x5a)).toString('utf8');
  }),
};

export const BrowserWindow = FakeBrowserWindow;
export const Notification = FakeNotification;
export const Tray = FakeTray;

export function resetFakeElectron(): void {
  app.reset();
  FakeBrowserWindow.instances = [];
  FakeNotification.instances = [];
  FakeNotification.supported = true;
  FakeTray.instances = [];
  ipcMain.handlers.clear();
  protocol.handlers.clear();
  protocol.registerSchemesAsPrivileged.mockClear();
  shell.openExternal.mockReset();
  shell.openExternal.mockImplementation(async () => {});
  session.defaultSession = new FakeSession();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  safeStorage.encryptString.mockClear();
  safeStorage.decryptString.mockClear();
}
