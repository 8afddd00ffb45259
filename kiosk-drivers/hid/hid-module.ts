/**
 * The slice of node-hid's API GridDesk drivers use. The real module and the simulated one
 * (sim/simulated-hid.ts) both satisfy `HidModule`; the composition root picks one with
 * `createHidModule`, and driver code never knows which it got.
 */
import type { Device, HIDAsync } from 'node-hid';

export type HidDeviceInfo = Device;

/** An opened device, as node-hid's HIDAsync (same methods and events: 'data' Buffer, 'error'). */
export type HidAsyncDevice = Pick<
  HIDAsync,
  'write' | 'read' | 'close' | 'on' | 'off' | 'once' | 'removeListener' | 'listenerCount' | 'getDeviceInfo'
>;

export interface HidModule {
  devices(): Device[];
  devicesAsync(): Promise<Device[]>;
  readonly HIDAsync: {
    open(path: string, options?: { nonExclusive?: boolean }): Promise<HidAsyncDevice>;
  };
}

/** Loads the real node-hid lazily so simulated setups never touch the native binding. */
export async function loadNodeHid(): Promise<HidModule> {
  const mod = await import('node-hid');
  const real: HidModule = mod.default;
  return real;
}

export type HidModuleChoice =
  | { readonly kind: 'node-hid' }
  | { readonly kind: 'simulated'; readonly module: HidModule };

/** Composition-root switch between real node-hid and a simulated bus's module. */
export async function createHidModule(choice: HidModuleChoice): Promise<HidModule> {
  switch (choice.kind) {
    case 'node-hid':
      return loadNodeHid();
    case 'simulated':
      return choice.module;
    default: {
      const never: never = choice;
      throw new Error(`unknown HID module choice ${String(never)}`);
    }
  }
}

/** Finds devices by vendor/product id (and optional usage page), as a device manager would. */
export async function findHidDevices(
  hid: HidModule,
  match: { vendorId: number; productId: number; usagePage?: number; serialNumber?: string },
): Promise<Device[]> {
  const all = await hid.devicesAsync();
  return all.filter(
    (d) =>
      d.vendorId === match.vendorId &&
      d.productId === match.productId &&
      (match.usagePage === undefined || d.usagePage === match.usagePage) &&
      (match.serialNumber === undefined || d.serialNumber === match.serialNumber) &&
      d.path !== undefined,
  );
}
