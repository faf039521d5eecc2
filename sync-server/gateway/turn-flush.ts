/**
 * Fan-out once per event-loop turn, shared by both gateways: connections given something to send
 * during a turn are flushed together at its end, and what many of them are sent alike (a batch of
 * frames, a merged update) is built once per turn.
 */

/** Flushes every connection added during a turn, once, at the turn's end, with one memo for all. */
export class TurnFlush<C> {
  private readonly pending = new Set<C>();
  private scheduled = false;

  constructor(private readonly flush: (conn: C, memo: TurnMemo) => void) {}

  add(conn: C): void {
    this.pending.add(conn);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const memo = new TurnMemo();
      const conns = [...this.pending];
      this.pending.clear();
      for (const c of conns) this.flush(c, memo);
    });
  }
}

/** Results kept for one turn by the identity (not the content) of their inputs, in order. */
export class TurnMemo {
  private static readonly ids = new WeakMap<object, number>();
  private static nextId = 1;
  private readonly results = new Map<string, unknown>();

  get<T>(inputs: readonly object[], make: () => T): T {
    let key = '';
    for (const input of inputs) {
      let id = TurnMemo.ids.get(input);
      if (id === undefined) TurnMemo.ids.set(input, (id = TurnMemo.nextId++));
      key += `${id},`;
    }
    if (this.results.has(key)) return this.results.get(key) as T;
    const value = make();
    this.results.set(key, value);
    return value;
  }
}
