/**
 * Device handlers for the core's dispatch (health, diagnostics). Owned by the device area;
 * core.ts spreads them into the handler map and gives them the event emitter. The device manager
 * (kiosk-drivers/device-manager) is built at the composition root; its events are forwarded here
 * as contract events.
 */
import type { DeviceManager } from '../../../kiosk-drivers/device-manager/device-manager.js';
import type { PrinterHealth } from '../../../kiosk-drivers/device-manager/device-state.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { layoutReceiptText } from '../../../kiosk-drivers/printer/receipt-model.js';
import type { ReceiptPrinter } from '../../../kiosk-drivers/printer/receipt-printer.js';
import type { DeviceHealthView, EventName, EventPayloads, OperatorView, TestCardReadView } from '../../contract/index.js';
import type { TerminalConfig } from '../../config.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import type { Db } from '../../store/db.js';
import type { Clock } from '../clock.js';
import type { Session } from '../dispatch.js';
import { testReceipt } from './test-receipt.js';

export interface DeviceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: TerminalConfig;
  readonly translators: Readonly<Record<Locale, Translate>>;
  readonly printer: ReceiptPrinter | null;
  /** Null in cores built without device supervision (some tests): only the printer is known then. */
  readonly devices?: DeviceManager | null;
  readonly emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => void;
}

const NO_PRINTER: PrinterHealth = { configured: false, connected: false, status: null, fault: 'device.not_found', paperNearEnd: false };

export function createDeviceHandlers(deps: DeviceDeps) {
  const { clock, config } = deps;
  const devices = deps.devices ?? null;

  if (devices) {
    devices.on('statusChanged', (s) => deps.emit('device.statusChanged', s));
    devices.on('printerStatusChanged', (h) => deps.emit('printer.statusChanged', h));
    devices.on('cardInserted', (e) => deps.emit('card.inserted', e));
    devices.on('cardRemoved', (e) => deps.emit('card.removed', e));
    devices.on('scanned', (e) => deps.emit('scan.received', e));
  }

  const need = (): DeviceManager => {
    if (!devices) throw new DeviceError('device.not_found', { device: 'devices' });
    return devices;
  };

  const status = () => ({ devices: devices?.list() ?? [], checkedAt: clock().toISOString() });

  const health = (): DeviceHealthView => {
    const list = devices?.list() ?? [];
    const cardReader = list.find((d) => d.kind === 'cardReader');
    const scanners = list.filter((d) => d.kind === 'scanner');
    return {
      printer: devices?.printerHealth() ?? (deps.printer ? { ...NO_PRINTER, configured: true, fault: null } : NO_PRINTER),
      cardWriter: { configured: cardReader !== undefined, available: cardReader?.connection === 'connected' && cardReader.health === 'ok' },
      scanner: { configured: scanners.length > 0, available: scanners.some((s) => s.connection === 'connected') },
    };
  };

  const operatorOf = (s: Session): OperatorView => {
    if (!s.operator) throw new Error('dispatch let an anonymous session through');
    return s.operator;
  };

  return {
    'devices.status': () => status(),
    'devices.health': () => health(),
    'devices.refresh': async (p: { deviceId?: string | undefined }) => {
      const m = need();
      if (p.deviceId !== undefined && !m.list().some((d) => d.id === p.deviceId)) {
        throw new DeviceError('device.not_found', { device: p.deviceId });
      }
      await m.refresh(p.deviceId);
      return status();
    },
    'devices.testPrint': async (p: { receiptLocale?: Locale | undefined }, s: Session) => {
      const printer = devices?.printer ?? deps.printer;
      if (!printer) throw new DeviceError('device.not_found', { device: 'printer' });
      const locale = p.receiptLocale ?? config.defaultLocale;
      const receipt = testReceipt({
        t: deps.translators[locale],
        locale,
        header: config.receipt.header,
        terminalId: config.terminalId,
        timeZone: config.timeZone,
        at: clock(),
        operatorId: operatorOf(s).operatorId,
        printer: devices?.printerHealth() ?? null,
      });
      await printer.print(receipt);
      return { printed: true as const, preview: layoutReceiptText(receipt) };
    },
    'devices.testCardRead': async (): Promise<TestCardReadView> => {
      const { detection, snapshot } = await need().readCard();
      return {
        deviceId: 'cardReader',
        cardSerial: snapshot.cardSerial,
        cardType: detection.type === 'contact_cpu' ? 'contact_cpu' : 'contactless',
        format: snapshot.format,
        accountNo: snapshot.identity.accountNo,
        meterNo: snapshot.identity.meterNo,
        generation: snapshot.identity.generation,
        purchaseCounter: snapshot.purchase?.counter ?? null,
        lastPurchaseFen: snapshot.purchase?.amountFen ?? null,
        greyLocked: snapshot.greyLocked,
        pendingCounter: snapshot.pendingCounter,
        previousLoaded: snapshot.previousLoaded,
        meterLastLoadedCounter: snapshot.meter.lastLoadedCounter,
        meterRemainingCreditFen: snapshot.meter.remainingCreditFen,
      };
    },
    'devices.testScan': (p: { timeoutMs: number }) => need().nextScan(p.timeoutMs),
  } as const;
}
