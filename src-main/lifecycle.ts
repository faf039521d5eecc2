/**
 * The app's life: one instance per user, the `app://` scheme and link handling set up before
 * `ready`, then security, the protocol, IPC, the inbox window and the tray.
 */
import { app } from 'electron';
import { EventChannel } from '../src-preload/ipc-contract';
import { registerBridgeHandlers } from './bridge-handlers';
import { APP_USER_MODEL_ID, isRendererUrl, readShellConfig } from './config';
import type { ShellConfig, ShellEnvironment } from './config';
import { ConversationLinkRouter, listenForOpenUrl, registerConversationLinkHandler } from './deep-links';
import { IpcRouter } from './ipc';
import { NotificationCenter } from './notifications';
import { registerAppProtocol, registerAppScheme } from './protocol';
import { SessionStore } from './secrets';
import { buildContentSecurityPolicy, installSecurity, openExternalSafely } from './security';
import { TrayController } from './tray';
import { WindowManager } from './windows';

export interface DesktopAppOptions {
  env: ShellEnvironment;
  /** Folder of the built main bundle (`out/main`). */
  mainDir: string;
  platform?: NodeJS.Platform;
  processInfo?: { defaultApp?: boolean; execPath: string; argv: readonly string[] };
  log?: (message: string) => void;
}

export interface RunningDesktopApp {
  config: ShellConfig;
  windows: WindowManager;
  links: ConversationLinkRouter;
  /** Resolves once the inbox window and the tray exist. */
  ready: Promise<{ router: IpcRouter; notifications: NotificationCenter; tray: TrayController | null }>;
}

/**
 * Starts the desktop app. Returns null when another instance already runs: that one receives our
 * argv (with any link) through `second-instance`, and this one quits.
 */
export function runDesktopApp(options: DesktopAppOptions): RunningDesktopApp | null {
  const platform = options.platform ?? process.platform;
  const processInfo = options.processInfo ?? process;
  const log = options.log ?? ((message: string) => console.error(message));
  const config = readShellConfig(options.env, { mainDir: options.mainDir, isPackaged: app.isPackaged });

  registerAppScheme();
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

  const windows = new WindowManager(config, log);
  const openConversation = (conversationId: number | null): void => {
    windows.showInbox();
    if (conversationId !== null) windows.sendToInbox(EventChannel.openConversation, conversationId);
  };
  const links = new ConversationLinkRouter(openConversation);
  listenForOpenUrl(links);
  registerConversationLinkHandler(processInfo);

  app.on('second-instance', (_event, argv) => {
    windows.showInbox();
    links.receiveArgv(argv);
  });
  app.on('activate', () => {
    if (app.isReady()) windows.showInbox();
  });
  app.on('before-quit', () => windows.prepareToQuit());
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });

  const ready = app.whenReady().then(() => {
    installSecurity(config);
    registerAppProtocol(config.rendererRoot, buildContentSecurityPolicy(config));

    const router = new IpcRouter({
      isTrustedPageUrl: (url) => isRendererUrl(config, url),
      isOwnWebContents: (contents) => windows.isOwnWebContents(contents),
    });
    const notifications = new NotificationCenter({ openConversation });
    const tray = new TrayController(
      {
        showInbox: () => windows.showInbox(),
        quit: () => app.quit(),
        inboxWindow: () => windows.get('inbox'),
      },
      platform,
    );
    const sessions = new SessionStore(app.getPath('userData'), platform);
    registerBridgeHandlers(router, {
      hostInfo: () => ({ platform, version: app.getVersion(), mode: 'electron' }),
      sessions,
      notifications,
      badge: tray,
      openSettings: () => windows.openSettings(),
      openExternal: openExternalSafely,
    });

    windows.showInbox();
    let createdTray: TrayController | null = tray;
    try {
      tray.create();
    } catch (error) {
      // Some Linux desktops have no tray; the app works without one.
      log(`No tray icon: ${error instanceof Error ? error.message : String(error)}`);
      createdTray = null;
    }
    // Windows and Linux start a first instance with its link in argv.
    links.receiveArgv(processInfo.argv);
    links.markReady();
    return { router, notifications, tray: createdTray };
  });
  ready.catch((error: unknown) => {
    log(`Switchboard could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    app.exit(1);
  });

  return { config, windows, links, ready };
}
