/** Shared setup: a simulated HID bus with a card reader, an issued card and its meter. */
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { HidCardReaderDevice, type HidCardReaderOptions } from '../../../kiosk-drivers/card/hid-card-reader.js';
import { GridDeskPrepaidCardFormat } from '../../../kiosk-drivers/card/griddesk-card-format.js';
import { PrepaidCardWriter } from '../../../kiosk-drivers/card/card-reader.js';
import { issueGridDeskCard } from '../../../kiosk-drivers/card/sim/issue-card.js';
import { SimulatedMeter } from '../../../kiosk-drivers/card/sim/simulated-meter.js';
import type { SimulatedCard } from '../../../kiosk-drivers/card/sim/simulated-card.js';
import { createHidModule, findHidDevices, type HidModule } from '../../../kiosk-drivers/hid/hid-module.js';
import { SimulatedHidBus } from '../../../kiosk-drivers/hid/sim/simulated-hid.js';
import { SimulatedCardReader, SIM_CARD_READER_IDS } from '../../../kiosk-drivers/hid/sim/simulated-card-reader.js';

export const MASTER_KEY = Uint8Array.from(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
export const OTHER_UTILITY_KEY = Uint8Array.from(Buffer.from('f0e0d0c0b0a090807060504030201000', 'hex'));
export const ACCOUNT = '3100012345';
export const METER = '000012345678';
export const GENERATION = 2;
export const FIXED_NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

export interface CardRig {
  bus: SimulatedHidBus;
  hid: HidModule;
  reader: SimulatedCardReader;
  card: SimulatedCard;
  meter: SimulatedMeter;
  device: HidCardReaderDevice;
  writer: PrepaidCardWriter;
}

export async function makeRig(opts: HidCardReaderOptions = { timeoutMs: 200, writeTimeoutMs: 200 }): Promise<CardRig> {
  const bus = new SimulatedHidBus();
  const reader = bus.add(new SimulatedCardReader());
  const hid = await createHidModule({ kind: 'simulated', module: bus.module() });
  const [info] = await findHidDevices(hid, SIM_CARD_READER_IDS);
  if (!info?.path) throw new Error('simulated reader not listed');
  const device = await HidCardReaderDevice.open(hid, info.path, opts);
  const writer = new PrepaidCardWriter(device, new GridDeskPrepaidCardFormat(MASTER_KEY));
  const card = issueGridDeskCard({
    masterKey: MASTER_KEY,
    uid: Uint8Array.of(0x5a, 0x10, 0x20, 0x30),
    accountNo: ACCOUNT,
    meterNo: METER,
    generation: GENERATION,
  });
  const meter = new SimulatedMeter({ masterKey: MASTER_KEY, meterNo: METER, generation: GENERATION, clock: () => FIXED_NOW });
  return { bus, hid, reader, card, meter, device, writer };
}

export function purchase(counterBefore: number, amountFen: number, purchaseId = `P-${counterBefore + 1}`) {
  return {
    purchaseId,
    accountNo: ACCOUNT,
    meterNo: METER,
    meterGeneration: GENERATION,
    counterBefore,
    amountFen,
    energyCentiKwh: Math.round((amountFen / 56) * 100),
  };
}

/** The DeviceError code `p` rejects with; anything else (or success) fails the test. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DeviceError) return err.code;
    throw err;
  }
  throw new Error('expected a DeviceError');
}
