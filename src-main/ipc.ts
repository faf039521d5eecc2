/**
 * The IPC router. Every request is checked twice before its handler runs: the sender must be a
 * top-level page of ours, in one of our windows; and the arguments must match the channel's
 * schema. A refused request rejects in the renderer with a message saying why.
 */
import { ipcMain } from 'electron';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { z } from 'zod';
import { IPC_PREFIX } from '../src-preload/ipc-contract';
import type { InvokeArguments, InvokeChannelName, InvokeResults } from '../src-preload/ipc-contract';

export interface SenderPolicy {
  /** True for URLs of our own pages (`app://switchboard`, or the dev server in development). */
  isTrustedPageUrl(url: string): boolean;
  /** True for the webContents of a window this app created (inbox, settings). */
  isOwnWebContents(contents: WebContents): boolean;
}

/** Why a sender is refused, or null when it may call us. */
export function senderRefusal(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  policy: SenderPolicy,
): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'only a top-level page may call';
  if (!policy.isTrustedPageUrl(frame.url)) return `untrusted page ${JSON.stringify(frame.url)}`;
  if (!policy.isOwnWebContents(event.sender)) return 'the sender is not a Switchboard window';
  return null;
}

export type InvokeHandler<C extends InvokeChannelName> = (
  args: InvokeArguments<C>,
  event: IpcMainInvokeEvent,
) => InvokeResults[C] | Promise<InvokeResults[C]>;

export class IpcRouter {
  private readonly channels = new Set<string>();

  constructor(
    private readonly policy: SenderPolicy,
    private readonly log: (message: string) => void = (message) => console.warn(message),
  ) {}

  /**
   * Answers `channel` with `handler`, after checking the sender and parsing the argument list with
   * `schema` (a tuple schema, so extra arguments are refused too).
   */
  handle<C extends InvokeChannelName>(
    channel: C,
    schema: z.ZodType<InvokeArguments<C>>,
    handler: InvokeHandler<C>,
  ): void {
    if (!channel.startsWith(IPC_PREFIX)) throw new Error(`IPC channel ${channel} lacks the ${IPC_PREFIX} prefix`);
    if (this.channels.has(channel)) throw new Error(`IPC channel ${channel} already has a handler`);
    this.channels.add(channel);
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      const refusal = senderRefusal(event, this.policy);
      if (refusal !== null) {
        this.log(`Refused IPC ${channel}: ${refusal}`);
        throw new Error(`${channel} refused: ${refusal}`);
      }
      const parsed = schema.safeParse(args);
      if (!parsed.success) {
        throw new Error(`${channel} invalid arguments:\n${z.prettifyError(parsed.error)}`);
      }
      return handler(parsed.data, event);
    });
  }

  /** The channels this router answers. */
  registeredChannels(): string[] {
    return [...this.channels];
  }

  dispose(): void {
    for (const channel of this.channels) ipcMain.removeHandler(channel);
    this.channels.clear();
  }
}
