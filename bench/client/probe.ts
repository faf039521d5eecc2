/**
 * What the benchmark installs in every page before the app's scripts run (`addInitScript`): a
 * long-task recorder, the "first rows painted" detector of a cold open, and helpers that wait for
 * a DOM condition after an input event and then for the frame that paints it.
 *
 * "Painted" means: the condition holds after a DOM mutation (React committed), then
 * `requestAnimationFrame` runs for the frame that renders it, then a message posted from that
 * callback runs after the frame's paint. The time read there is the end of every measurement,
 * so style, layout and paint of that frame are included.
 *
 * It is plain browser JavaScript (no imports), handed to Playwright as a function.
 */

/** An element matching `selector` exists (whose text contains `text`, when given). */
export interface Condition {
  selector: string;
  text?: string;
}

export interface BenchWindow {
  __bench: {
    longTasks: Array<{ start: number; duration: number }>;
    /** Long animation frames with blocking time, and the scripts that ran in them. */
    frames: Array<{ start: number; duration: number; blocking: number; scripts: string[] }>;
    /** ms after navigation start when the first frame with conversation rows was painted. */
    firstRows: number | null;
    /** ms after navigation start when the first rows were in the DOM. */
    firstRowsDom: number | null;
    afterPaint(): Promise<number>;
    /**
     * Resolves once `selector` matches after the next event of `eventType` (capture phase on the
     * document): `{ start: event time, dom: condition seen, painted: frame painted }`.
     */
    armEvent(eventType: string, conditions: Condition[], timeoutMs: number): Promise<{ start: number; dom: number; painted: number }>;
    /** Resolves once every condition holds (now or later), then after its frame is painted. */
    waitPainted(conditions: Condition[], timeoutMs: number): Promise<{ dom: number; painted: number }>;
  };
}

/** Installed in the page; must not reference anything outside its own body. */
export function installProbe(): void {
  const w = window as unknown as BenchWindow;
  if (w.__bench) return;
  const longTasks: Array<{ start: number; duration: number }> = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no Long Tasks API */
  }
  // Long animation frames (Chromium): which scripts made a frame late, for the report.
  const frames: Array<{ start: number; duration: number; blocking: number; scripts: string[] }> = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as Array<PerformanceEntry & { blockingDuration: number; scripts: Array<{ invoker: string; duration: number; sourceFunctionName: string; sourceURL: string; sourceCharPosition: number }> }>) {
        if (e.blockingDuration <= 0) continue;
        frames.push({
          start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
          scripts: e.scripts.filter((sc) => sc.duration >= 5).map((sc) => `${sc.invoker} ${Math.round(sc.duration)} ms (${sc.sourceFunctionName || '?'} ${sc.sourceURL.replace(/^.*\//, '')}:${sc.sourceCharPosition})`),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    /* no LoAF API */
  }
  const afterPaint = () => new Promise<number>((resolve) => {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now());
      ch.port2.postMessage(null);
    });
  });
  const watch = (test: () => boolean, timeoutMs: number): Promise<number> => new Promise((resolve, reject) => {
    if (test()) return resolve(performance.now());
    const timer = setTimeout(() => {
      mo.disconnect();
      reject(new Error('timed out'));
    }, timeoutMs);
    const mo = new MutationObserver(() => {
      if (!test()) return;
      mo.disconnect();
      clearTimeout(timer);
      resolve(performance.now());
    });
    mo.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  });
  const holds = (conditions: Array<{ selector: string; text?: string }>) => conditions.every(({ selector, text }) => {
    if (text === undefined) return document.querySelector(selector) !== null;
    for (const el of document.querySelectorAll(selector)) if ((el.textContent ?? '').includes(text)) return true;
    return false;
  });
  const bench: BenchWindow['__bench'] = {
    longTasks,
    frames,
    firstRows: null,
    firstRowsDom: null,
    afterPaint,
    armEvent(eventType, conditions, timeoutMs) {
      return new Promise((resolve, reject) => {
        const onEvent = (ev: Event) => {
          document.removeEventListener(eventType, onEvent, true);
          const start = ev.timeStamp > 0 && ev.timeStamp <= performance.now() ? ev.timeStamp : performance.now();
          // Checked from the event on: what held before it does not count as its result.
          watch(() => holds(conditions), timeoutMs).then(async (dom) => {
            resolve({ start, dom, painted: await afterPaint() });
          }, reject);
        };
        document.addEventListener(eventType, onEvent, true);
      });
    },
    async waitPainted(conditions, timeoutMs) {
      const dom = await watch(() => holds(conditions), timeoutMs);
      return { dom, painted: await afterPaint() };
    },
  };
  w.__bench = bench;
  // Cold open: the first conversation row (rows with data carry data-conversation-id).
  void watch(() => document.querySelector('[data-conversation-id]') !== null, 600_000).then(async (dom) => {
    bench.firstRowsDom = dom;
    bench.firstRows = await afterPaint();
  }, () => undefined);
}
