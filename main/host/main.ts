/**
 * Host entry. Under Electron (binary present, a display, not `--no-open`) it only starts Electron
 * with the same argv and Electron's main builds the core; otherwise the core runs here in plain
 * Node and the renderer is served on loopback.
 *   node dist/main/host/main.js [--config site.json] [--port 0] [--no-open]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { buildCoreFromConfig } from '../compose/index.js';
import { startHost } from './host-server.js';
import { installLastResort } from '../last-resort.js';
import { chooseShell, electronBinary, openBrowser, spawnElectron, type ShellProbe } from './open-ui.js';

export const RENDERER_DIR = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '..', '..', 'renderer') : path.resolve(here, '..', '..', 'dist', 'renderer');
})();

/** dist/main/electron/main.js, beside the built renderer. */
export const ELECTRON_MAIN = path.resolve(RENDERER_DIR, '..', 'main', 'electron', 'main.js');

export interface RunHostOptions {
  /** Overrides for how the shell is chosen (tests inject a fake Electron binary). */
  readonly probe?: Partial<ShellProbe>;
  /** Electron ended by itself (window closed, crash); not called after the stop function. */
  readonly onUiExit?: (code: number | null) => void;
}

const ELECTRON_STOP_GRACE_MS = 5000;

export async function runHost(argv: readonly string[], opts: RunHostOptions = {}): Promise<() => Promise<void>> {
  const probe: ShellProbe = {
    electronBinary: opts.probe && 'electronBinary' in opts.probe ? (opts.probe.electronBinary ?? null) : electronBinary(),
    electronMain: opts.probe?.electronMain ?? ELECTRON_MAIN,
    env: opts.probe?.env ?? process.env,
    platform: opts.probe?.platform ?? process.platform,
    exists: opts.probe?.exists ?? existsSync,
  };
  const shell = chooseShell(argv, probe);
  if (shell.kind === 'electron') {
    const child = spawnElectron(shell, argv);
    console.log(`GridDesk: opened with electron (pid ${child.pid ?? '?'}); Electron builds the core from the same arguments`);
    return stopperFor(child, opts.onUiExit);
  }

  const { core, config } = await buildCoreFromConfig(argv);
  const portArg = argv.indexOf('--port');
  const host = await startHost({ core, staticDir: RENDERER_DIR, port: portArg >= 0 ? Number(argv[portArg + 1]) : 0 });
  const opened = argv.includes('--no-open') ? 'url' : openBrowser(host.launchUrl, config.mode === 'kiosk', probe.env);
  console.log(`GridDesk ${config.mode} ${config.terminalId}: ${host.launchUrl}  (opened with: ${opened}; ${shell.reason})`);
  void core.syncNow().then(() => core.pullNow());
  return async () => {
    await host.close();
    await core.close();
  };
}

/** Ends the Electron child: SIGTERM (its main closes the core), SIGKILL if it does not go. */
function stopperFor(child: ChildProcess, onUiExit: ((code: number | null) => void) | undefined): () => Promise<void> {
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      if (!stopping) onUiExit?.(code);
      resolve();
    });
    // A binary that cannot be started emits 'error' and no 'exit'.
    child.once('error', (err) => {
      console.error(`GridDesk: Electron could not start: ${err.message}`);
      if (!stopping) onUiExit?.(null);
      resolve();
    });
  });
  return async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ELECTRON_STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let stop: (() => Promise<void>) | null = null;
  installLastResort(process, { stop: () => stop });
  stop = await runHost(process.argv.slice(2), { onUiExit: (code) => process.exit(code ?? 0) });
  const shutdown = () => void stop?.().finally(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
