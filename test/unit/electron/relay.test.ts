/**
 * The Electron shell's IPC relay, without the Electron binary: `electron` is mocked (importing the
 * real package from plain Node tries to download the binary), the core is real.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
vi.mock('electron', () => ({
  app: { whenReady: async () => undefined, on: () => undefined, quit: () => undefined },
  BrowserWindow: class {},
  session: { defaultSession: { setPermissionRequestHandler: () => undefined } },
  ipcMain: { handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, fn) },
}));

const { registerRpc } = await import('../../../main/electron/main.js');
const { buildCore } = await import('../../../main/compose/index.js');
const { shippedLateFees, testTerminalConfig } = await import('../../support/config.js');

function core() {
  return buildCore(
    testTerminalConfig({ terminalId: 'T-EL-01', mode: 'kiosk', defaultLocale: 'en', dataDir: mkdtempSync(path.join(tmpdir(), 'gd-el-')) }),
    { printer: null, withoutDevices: true, lateFees: shippedLateFees() },
  );
}

const sender = (id: number) => ({ id, once: () => undefined });

describe('Electron IPC relay', () => {
  it('relays a trusted renderer call to dispatch and validates like every shell', async () => {
    const c = core();
    registerRpc(c, (frame) => (frame as { url: string }).url.startsWith('file://'));
    const rpc = handlers.get('rpc')!;
    const trusted = { sender: sender(1), senderFrame: { url: 'file:///app/index.html' } };
    expect(await rpc(trusted, 'system.info', {})).toMatchObject({ ok: true, result: { terminalId: 'T-EL-01', mode: 'kiosk' } });
    // A kiosk's session is the kiosk's own (role 'kiosk'), which may not look accounts up (only its visit's, through kiosk.*).
    expect(await rpc(trusted, 'account.lookup', { accountNo: '1' })).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
    expect(await rpc(trusted, 42, {})).toMatchObject({ ok: false, error: { code: 'rpc.unknown_method' } });
    await c.close();
  });

  it('refuses calls from any frame that is not the app', async () => {
    const c = core();
    registerRpc(c, (frame) => (frame as { url: string }).url.startsWith('file://'));
    const rpc = handlers.get('rpc')!;
    await expect(async () => rpc({ sender: sender(2), senderFrame: { url: 'https://evil.example/' } }, 'system.info', {})).rejects.toThrow(/untrusted/);
    await c.close();
  });
});
