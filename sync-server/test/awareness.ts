/** Builds raw awareness updates for tests that must send what a normal client never would. */
import * as encoding from 'lib0/encoding';

export function encodeAwarenessEntry(clientId: number, clock: number, state: unknown): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 1);
  encoding.writeVarUint(enc, clientId);
  encoding.writeVarUint(enc, clock);
  encoding.writeVarString(enc, JSON.stringify(state));
  return encoding.toUint8Array(enc);
}
