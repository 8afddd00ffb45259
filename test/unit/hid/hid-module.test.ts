import { describe, expect, it } from 'vitest';
import { createHidModule, findHidDevices } from '../../../kiosk-drivers/hid/hid-module.js';
import { SimulatedHidBus } from '../../../kiosk-drivers/hid/sim/simulated-hid.js';
import { SimulatedCardReader } from '../../../kiosk-drivers/hid/sim/simulated-card-reader.js';

describe('HidModule seam', () => {
  it('loads the real node-hid through the same interface', async () => {
    const hid = await createHidModule({ kind: 'node-hid' });
    const list = await hid.devicesAsync();
    expect(Array.isArray(list)).toBe(true);
    await expect(hid.HIDAsync.open('/dev/griddesk-no-such-hidraw')).rejects.toThrow();
  });

  it('finds simulated devices by vendor/product/serial', async () => {
    const bus = new SimulatedHidBus();
    bus.add(new SimulatedCardReader({ path: 'sim:a', serialNumber: 'A1' }));
    bus.add(new SimulatedCardReader({ path: 'sim:b', serialNumber: 'B2' }));
    const hid = await createHidModule({ kind: 'simulated', module: bus.module() });
    const found = await findHidDevices(hid, { vendorId: 0x1209, productId: 0xcad0, serialNumber: 'B2' });
    expect(found.map((d) => d.path)).toEqual(['sim:b']);
    expect(await findHidDevices(hid, { vendorId: 0x1209, productId: 0x0001 })).toEqual([]);
  });
});
