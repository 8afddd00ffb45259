/**
 * The simulated devices of one counter on one simulated HID bus: a card reader/writer, a
 * keyboard-wedge scanner and a HID POS scanner, with the config matches that find them. The
 * composition root uses it when terminal config says `devices.simulated`; tests reach the
 * simulators through it (insert a card, scan, unplug, replug).
 */
import type { HidModule } from '../../hid/hid-module.js';
import { SimulatedHidBus } from '../../hid/sim/simulated-hid.js';
import { SIM_CARD_READER_IDS, SimulatedCardReader } from '../../hid/sim/simulated-card-reader.js';
import { SIM_SCANNER_IDS, SimulatedPosScanner, SimulatedWedgeScanner } from '../../scanner/sim/simulated-scanners.js';
import type { ScannerMode } from '../../scanner/barcode-scanner.js';
import type { HidDeviceMatch } from '../slot-drivers.js';

export interface SimulatedHall {
  readonly bus: SimulatedHidBus;
  readonly module: HidModule;
  readonly cardReader: SimulatedCardReader;
  readonly wedge: SimulatedWedgeScanner;
  readonly pos: SimulatedPosScanner;
  readonly matches: {
    readonly cardReader: HidDeviceMatch;
    readonly scanners: readonly (HidDeviceMatch & { readonly mode: ScannerMode })[];
  };
}

export function createSimulatedHall(): SimulatedHall {
  const bus = new SimulatedHidBus();
  const cardReader = bus.add(new SimulatedCardReader());
  const wedge = bus.add(new SimulatedWedgeScanner());
  const pos = bus.add(new SimulatedPosScanner());
  return {
    bus,
    module: bus.module(),
    cardReader,
    wedge,
    pos,
    matches: {
      cardReader: { ...SIM_CARD_READER_IDS },
      scanners: [
        { ...SIM_SCANNER_IDS.wedge, mode: 'wedge' },
        { ...SIM_SCANNER_IDS.pos, mode: 'pos' },
      ],
    },
  };
}
