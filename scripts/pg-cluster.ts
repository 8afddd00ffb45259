/**
 * A throwaway PostgreSQL cluster from the command line (test/support/pg-cluster.ts):
 *   npx tsx scripts/pg-cluster.ts [--port N]
 * prints one JSON line {"url":…,"port":…,"socketDir":…} on stdout once it accepts connections, then
 * runs until SIGINT/SIGTERM or stdin closes, and removes the cluster on the way out.
 */
import { startPgCluster } from '../test/support/pg-cluster.js';

const portArg = process.argv.indexOf('--port');
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : undefined;

const cluster = await startPgCluster(port !== undefined ? { port } : {});
process.stdout.write(`${JSON.stringify({ url: cluster.url, port: cluster.port, socketDir: cluster.socketDir })}\n`);

let closing = false;
const close = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void close());
process.on('SIGTERM', () => void close());
// A parent that dies without a signal closes our stdin: no orphan cluster.
if (!process.stdin.isTTY) {
  process.stdin.on('end', () => void close());
  process.stdin.resume();
}
