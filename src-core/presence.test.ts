import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import { decodeAwarenessUpdate, validateConnectionPresence } from './presence';

const valid = { kind: 'operator', userId: 10, viewing: 7, typing: null, idle: false };

describe('a connection’s presence state', () => {
  it('is accepted when it says who is viewing and typing what', () => {
    expect(validateConnectionPresence(valid)).toBeNull();
    expect(validateConnectionPresence({ ...valid, viewing: null, typing: 7, idle: true })).toBeNull();
  });

  it('may be null (the connection cleared its entry)', () => {
    expect(validateConnectionPresence(null)).toBeNull();
  });

  it('is refused with an extra field, so nothing else rides along in awareness', () => {
    expect(validateConnectionPresence({ ...valid, draft: 'secret reply' })).toMatch(/unknown presence field draft/);
  });

  it('is refused when it is not an operator object', () => {
    expect(validateConnectionPresence([valid])).not.toBeNull();
    expect(validateConnectionPresence('operator')).not.toBeNull();
    expect(validateConnectionPresence({ ...valid, kind: 'server' })).not.toBeNull();
  });

  it('is refused with a user id that is not an integer', () => {
    for (const userId of ['10', 1.5, null, undefined, Number.MAX_SAFE_INTEGER + 2]) {
      expect(validateConnectionPresence({ ...valid, userId }), String(userId)).not.toBeNull();
    }
  });

  it('is refused when viewing or typing is not a conversation id or null', () => {
    for (const bad of [0, -1, 1.5, '7', undefined, { id: 7 }]) {
      expect(validateConnectionPresence({ ...valid, viewing: bad }), `viewing ${String(bad)}`).not.toBeNull();
      expect(validateConnectionPresence({ ...valid, typing: bad }), `typing ${String(bad)}`).not.toBeNull();
    }
  });

  it('is refused when idle is not a boolean', () => {
    expect(validateConnectionPresence({ ...valid, idle: 'no' })).not.toBeNull();
  });
});

describe('decoding an awareness update', () => {
  it('reads back what y-protocols encoded: client id, clock and state', () => {
    const awareness = new awarenessProtocol.Awareness(new Y.Doc());
    awareness.setLocalState(valid);
    const entries = decodeAwarenessUpdate(awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]));
    expect(entries).toEqual([{ clientId: awareness.clientID, clock: awareness.meta.get(awareness.clientID)!.clock, state: valid }]);
    awareness.destroy();
  });

  it('reads several connections, and a removed entry as a null state', () => {
    const a = new awarenessProtocol.Awareness(new Y.Doc());
    const b = new awarenessProtocol.Awareness(new Y.Doc());
    a.setLocalState(valid);
    b.setLocalState({ ...valid, userId: 11 });
    awarenessProtocol.applyAwarenessUpdate(a, awarenessProtocol.encodeAwarenessUpdate(b, [b.clientID]), 'remote');
    b.setLocalState(null);
    awarenessProtocol.applyAwarenessUpdate(a, awarenessProtocol.encodeAwarenessUpdate(b, [b.clientID]), 'remote');
    const entries = decodeAwarenessUpdate(awarenessProtocol.encodeAwarenessUpdate(a, [a.clientID, b.clientID]));
    expect(entries.map((e) => [e.clientId, e.state])).toEqual([[a.clientID, valid], [b.clientID, null]]);
    a.destroy();
    b.destroy();
  });

  it('refuses trailing bytes after the last entry', () => {
    const awareness = new awarenessProtocol.Awareness(new Y.Doc());
    awareness.setLocalState(valid);
    const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]);
    expect(() => decodeAwarenessUpdate(new Uint8Array([...update, 0]))).toThrow(/trailing/);
    awareness.destroy();
  });

  it('refuses a truncated update and a state that is not JSON', () => {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, 1);
    encoding.writeVarUint(enc, 5);
    encoding.writeVarUint(enc, 1);
    encoding.writeVarString(enc, '{not json');
    expect(() => decodeAwarenessUpdate(encoding.toUint8Array(enc))).toThrow();
    expect(() => decodeAwarenessUpdate(new Uint8Array([2, 5, 1]))).toThrow();
  });

  it('refuses an update claiming more than 1,000 entries', () => {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, 1001);
    expect(() => decodeAwarenessUpdate(encoding.toUint8Array(enc))).toThrow(/too many/);
  });
});
