/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the COMMIT
 * that crosses the threshold, on the committing connection: copying the WAL into the database and
 * syncing it stalls the server's event loop for tens of milliseconds. Here a worker thread with a
 * second connection runs PASSIVE checkpoints (which never block the writer), at most once per
 * interval while there are commits, and the writer's automatic checkpoint is switched off only
 * once that worker is running. If the worker fails, the automatic checkpoint is switched back on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker: plain CommonJS (a worker does not share the parent's TypeScript loader). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
parentPort.on('message', (msg) => {
  if (msg !== 'checkpoint') return;
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  parentPort.postMessage({ t: 'done', busy: result.busy, log: result.log, checkpointed: result.checkpointed });
});
parentPort.postMessage({ t: 'ready' });
`;

export interface CheckpointResult {
  /** 1 when the checkpoint could not run to the end (a reader or the writer held the WAL). */
  busy: number;
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** The database file. */
  file: string;
  /** Switches the writer's automatic checkpoint off (true) or back on (false). */
  setAutomatic: (on: boolean) => void;
  /** Least time between two checkpoints while commits keep coming. */
  intervalMs?: number;
  onError: (err: Error) => void;
  onCheckpoint?: (result: CheckpointResult) => void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly intervalMs: number;
  private running = false;
  private inFlight = false;
  /** Commits arrived since the last checkpoint started. */
  private dirty = false;
  private lastStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly opts: WalCheckpointerOptions) {
    this.intervalMs = opts.intervalMs ?? 250;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: opts.file, driver } });
    this.worker.unref();
    this.worker.on('message', (msg: { t: 'ready' } | ({ t: 'done' } & CheckpointResult)) => {
      if (msg.t === 'ready') {
        if (this.stopped) return;
        this.running = true;
        opts.setAutomatic(false);
        this.schedule();
        return;
      }
      this.inFlight = false;
      opts.onCheckpoint?.({ busy: msg.busy, log: msg.log, checkpointed: msg.checkpointed });
      this.schedule();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.stopped) this.fail(new Error(`WAL checkpoint worker exited with code ${code}`));
    });
  }

  /** Whether checkpoints currently run on the worker (else SQLite's automatic checkpoint does). */
  get active(): boolean {
    return this.running;
  }

  /** Called after each commit: a checkpoint follows within the interval. */
  committed(): void {
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.running || !this.dirty || this.inFlight || this.timer) return;
    const wait = this.lastStart + this.intervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wait);
      this.timer.unref();
      return;
    }
    this.dirty = false;
    this.inFlight = true;
    this.lastStart = Date.now();
    this.worker.postMessage('checkpoint');
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.opts.setAutomatic(true);
    this.opts.onError(new Error(`WAL checkpoints fall back to SQLite's automatic checkpoint: ${err.message}`));
  }

  /** Stops the worker; the writer's automatic checkpoint is switched back on. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.worker.terminate();
    this.opts.setAutomatic(true);
  }
}
