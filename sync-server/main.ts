/**
 * `npm run server -- --port <n> --data <dir>`: starts the sync server alone. Prints its URL, logs
 * JSON lines, answers /health once ready, and on SIGINT/SIGTERM stops after flushing storage.
 */
import { parseArgs } from './config';
import { startServer } from './app';

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  const server = await startServer(config);
  process.stdout.write(`Switchboard sync server listening on ${server.url} (data: ${config.dataDir})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.ctx.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.ctx.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`${JSON.stringify({ level: 60, msg: 'server failed to start', err: String(err?.stack ?? err) })}\n`);
  process.exit(1);
});
