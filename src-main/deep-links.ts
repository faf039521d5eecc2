/**
 * `switchboard://conversation/<id>` links. macOS delivers them with `open-url`; Windows and Linux
 * start the app with the link in argv, which the single-instance lock forwards to the running
 * instance (`second-instance`). Parsing is strict: the exact form with a positive integer id, and
 * nothing else, so a crafted link can do no more than open a conversation the user may see.
 */
import { app } from 'electron';
import path from 'node:path';
import { DEEP_LINK_SCHEME } from './config';

const CONVERSATION_LINK = new RegExp(`^${DEEP_LINK_SCHEME}://conversation/([1-9][0-9]{0,15})$`, 'i');

/** The conversation id of a `switchboard://conversation/<id>` link, or null for anything else. */
export function parseConversationLink(url: unknown): number | null {
  if (typeof url !== 'string') return null;
  const match = CONVERSATION_LINK.exec(url);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : null;
}

/** The first valid conversation link among command-line arguments, or null. */
export function findConversationLinkInArgv(argv: readonly string[]): number | null {
  for (const argument of argv) {
    const id = parseConversationLink(argument);
    if (id !== null) return id;
  }
  return null;
}

/**
 * Makes this app the OS handler of `switchboard://`. An unpackaged app runs as
 * `electron <app path>`, so the OS must be told to pass the app path too.
 */
export function registerConversationLinkHandler(
  processInfo: { defaultApp?: boolean; execPath: string; argv: readonly string[] } = process,
): boolean {
  if (processInfo.defaultApp && processInfo.argv.length >= 2) {
    return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, processInfo.execPath, [path.resolve(processInfo.argv[1])]);
  }
  return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
}

/**
 * Turns links into "open this conversation". Links can arrive before the app is ready (macOS
 * launches the app to deliver one); the newest waits until `markReady`.
 */
export class ConversationLinkRouter {
  private ready = false;
  private pending: number | null = null;

  constructor(private readonly openConversation: (conversationId: number) => void) {}

  /** Handles one URL; false (and nothing happens) when it is not a valid conversation link. */
  receiveUrl(url: unknown): boolean {
    const conversationId = parseConversationLink(url);
    if (conversationId === null) return false;
    this.deliver(conversationId);
    return true;
  }

  receiveArgv(argv: readonly string[]): boolean {
    const conversationId = findConversationLinkInArgv(argv);
    if (conversationId === null) return false;
    this.deliver(conversationId);
    return true;
  }

  markReady(): void {
    this.ready = true;
    if (this.pending !== null) {
      const conversationId = this.pending;
      this.pending = null;
      this.openConversation(conversationId);
    }
  }

  private deliver(conversationId: number): void {
    if (this.ready) this.openConversation(conversationId);
    else this.pending = conversationId;
  }
}

/** macOS: must be registered before `ready`, or the link that launched the app is lost. */
export function listenForOpenUrl(router: ConversationLinkRouter): void {
  app.on('open-url', (event, url) => {
    event.preventDefault();
    router.receiveUrl(url);
  });
}
