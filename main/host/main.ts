/**
 * Host shell entry: the core in plain Node, the renderer served on loopback.
 *   node dist/main/host/main.js [--config site.json] [--port 0] [--no-open]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCoreFromConfig } from './compose.js';
import { startHost } from './host-server.js';
import { openUi } from './open-ui.js';

export const RENDERER_DIR = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '..', '..', 'renderer') : path.resolve(here, '..', '..', 'dist', 'renderer');
})();

export async function runHost(argv: readonly string[]): Promise<() => Promise<void>> {
  const { core, config } = await buildCoreFromConfig(argv);
  const portArg = argv.indexOf('--port');
  const host = await startHost({ core, staticDir: RENDERER_DIR, port: portArg >= 0 ? Number(argv[portArg + 1]) : 0 });
  const electronMain = path.resolve(RENDERER_DIR, '..', 'main', 'electron', 'main.js');
  const opened = argv.includes('--no-open') ? 'url' : openUi(host.launchUrl, config.mode === 'kiosk', electronMain);
  console.log(`GridDesk ${config.mode} ${config.terminalId}: ${host.launchUrl}  (opened with: ${opened})`);
  void core.syncNow().then(() => core.pullNow());
  return async () => {
    await host.close();
    await core.close();
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stop = await runHost(process.argv.slice(2));
  const shutdown = () => void stop().finally(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
