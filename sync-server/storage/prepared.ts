/**
 * Prepared typed queries: a kysely query is built and compiled once with named placeholders, then
 * bound to values on each call. Hot paths (every inbound message) skip the query builder's
 * per-call compile cost while staying written in the typed, dialect-neutral builder.
 */
import type { Compilable, CompiledQuery } from 'kysely';

const MARK = '\u0000sb-param:';

/**
 * `prepare((p) => db.selectFrom('clients').selectAll().where('id', '=', p.id))` returns a function
 * `(values) => Compilable`. Placeholders may stand wherever the builder takes a value (not inside
 * `in (...)` lists, whose length varies).
 */
export function prepare<P extends Record<string, unknown>, R>(build: (p: P) => Compilable<R>): (values: P) => Compilable<R> {
  let compiled: CompiledQuery<R> | null = null;
  let slots: Array<{ name: string } | { value: unknown }> = [];
  const placeholders = new Proxy({} as P, { get: (_t, name) => `${MARK}${String(name)}` });
  return (values: P) => {
    if (!compiled) {
      compiled = build(placeholders).compile();
      slots = compiled.parameters.map((v) => (typeof v === 'string' && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v }));
    }
    const base = compiled;
    const parameters = slots.map((s) => ('name' in s ? values[s.name] : s.value));
    return { compile: () => ({ ...base, parameters }) as CompiledQuery<R> };
  };
}
