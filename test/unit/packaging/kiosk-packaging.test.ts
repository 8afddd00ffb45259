/**
 * What the kiosks and counter PCs need from electron-builder.yml (docs/deploy/), checked offline
 * with electron-builder's own loader and validator: a per-machine NSIS installer, AppImage and deb,
 * every installed native module unpacked from the asar archive (a new one added to package.json
 * without it would fail only on the kiosk), the udev rules the deb installs, and the kiosk session
 * unit starting the executable the deb installs.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig: (dir: string, file: string, extra: null) => Promise<Record<string, unknown>>;
  validateConfiguration: (config: unknown, log: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface BuilderConfig {
  productName: string;
  asarUnpack: string[];
  extraResources: ({ from: string; to: string } | string)[];
  nsis: Record<string, unknown>;
  win: { target: { target: string; arch: string[] }[] };
  linux: { target: { target: string }[]; executableName: string };
  deb: { depends: string[]; fpm: string[] };
}

async function config(): Promise<BuilderConfig> {
  const c = await getConfig(process.cwd(), 'electron-builder.yml', null);
  await validateConfiguration(c, new DebugLogger(false));
  return c as unknown as BuilderConfig;
}

/** Installed production packages with native code (binding.gyp or prebuilt binaries). */
function nativeProductionPackages(): string[] {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([dir, p]) => dir.startsWith('node_modules/') && !p.dev && existsSync(dir))
    .filter(([dir]) => existsSync(path.join(dir, 'binding.gyp')) || existsSync(path.join(dir, 'prebuilds')))
    .map(([dir]) => dir);
}

describe('electron-builder.yml for kiosks and counter PCs', () => {
  it('validates, and builds a per-machine NSIS installer (x64), AppImage and deb', async () => {
    const c = await config();
    expect(c.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(c.nsis).toMatchObject({ oneClick: false, perMachine: true, runAfterFinish: false, deleteAppDataOnUninstall: false });
    expect(c.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
    expect(c.deb.depends).toEqual(expect.arrayContaining(['libusb-1.0-0', 'libudev1']));
  });

  it('unpacks every installed native module from the asar archive (printer transports included)', async () => {
    const c = await config();
    const natives = nativeProductionPackages();
    expect(natives).toEqual(expect.arrayContaining(['node_modules/better-sqlite3', 'node_modules/node-hid', 'node_modules/usb', 'node_modules/@serialport/bindings-cpp']));
    for (const dir of natives) expect([dir, c.asarUnpack.includes(`${dir}/**/*`)]).toEqual([dir, true]);
  });

  it('the deb installs the udev rules; the package carries the kiosk session unit; the unit starts what the deb installs', async () => {
    const c = await config();
    const udev = c.deb.fpm.find((a) => a.endsWith('=/lib/udev/rules.d/70-griddesk.rules'));
    expect(udev).toBeDefined();
    const rulesFile = (udev as string).split('=')[0] as string;
    const rules = readFileSync(rulesFile, 'utf8');
    expect(rules).toContain('SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ENV{ID_USB_INTERFACES}=="*:0701*", GROUP="lp", MODE="0660"');
    expect(rules).toContain('SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", GROUP="lp", MODE="0660"');
    expect(c.extraResources).toContainEqual({ from: 'docs/deploy/linux', to: 'deploy/linux' });
    const unit = readFileSync('docs/deploy/linux/griddesk-kiosk.service', 'utf8');
    // electron-builder's deb installs the app in /opt/<productName>/<executableName>.
    expect(unit).toContain(`ExecStart=/usr/bin/cage -d -- /opt/${c.productName}/${c.linux.executableName} --config /etc/griddesk/site.json`);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^User=kiosk$/m);
  });
});
