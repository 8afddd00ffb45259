/**
 * The receipt printer the terminal config names: ESC/POS over the network, USB (the Linux usblp
 * device, or libusb by vendor/product id on any OS) or serial (serialport, line set by us), or none.
 */
import type { TerminalConfig } from '../config.js';
import { EscPosReceiptPrinter } from '../../kiosk-drivers/printer/escpos-receipt-printer.js';
import { libusbTransport, networkTransport, serialTransport, usbTransport, type PrinterTransport } from '../../kiosk-drivers/printer/transports.js';
import type { ReceiptPrinter } from '../../kiosk-drivers/printer/receipt-printer.js';

type PrinterConfig = TerminalConfig['printer'];
type UsbPrinterConfig = Extract<PrinterConfig, { transport: 'usb' }>;

/** A usb printer is either a usblp device path or libusb ids; the config schema allows exactly one. */
function usbDevice(p: UsbPrinterConfig): { readonly kind: 'usblp'; readonly path: string } | { readonly kind: 'libusb'; readonly vendorId: number; readonly productId: number } {
  if (p.path !== undefined) return { kind: 'usblp', path: p.path };
  if (p.vendorId !== undefined && p.productId !== undefined) return { kind: 'libusb', vendorId: p.vendorId, productId: p.productId };
  throw new Error('printer: usb needs path or vendorId and productId (checked by the config schema)');
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** The transport for a configured printer (exported for tests: which one a site file gets). */
export function printerTransportFor(p: Exclude<PrinterConfig, { transport: 'none' }>): PrinterTransport {
  switch (p.transport) {
    case 'network':
      return networkTransport(p.host, p.port);
    case 'usb': {
      const d = usbDevice(p);
      if (d.kind === 'usblp') return usbTransport(d.path);
      return libusbTransport({
        vendorId: d.vendorId,
        productId: d.productId,
        ...(p.serialNumber !== undefined ? { serialNumber: p.serialNumber } : {}),
        ...(p.interface !== undefined ? { interface: p.interface } : {}),
      });
    }
    case 'serial':
      return serialTransport({ path: p.path, baudRate: p.baudRate, dataBits: p.dataBits, parity: p.parity, stopBits: p.stopBits, flowControl: p.flowControl });
    default: {
      const never: never = p;
      throw new Error(`unknown printer transport ${JSON.stringify(never)}`);
    }
  }
}

export function printerFor(config: TerminalConfig): ReceiptPrinter | null {
  const p = config.printer;
  if (p.transport === 'none') return null;
  return new EscPosReceiptPrinter(printerTransportFor(p), { completion: p.completion, jobTimeoutMs: p.jobTimeoutMs });
}

/** How the diagnostics screen names the printer: transport and where, e.g. `usb 0x0416:0x5011`, `serial COM3 9600 8N1 rtscts`. */
export function printerAddress(config: TerminalConfig): string {
  const p = config.printer;
  switch (p.transport) {
    case 'network':
      return `tcp ${p.host}:${p.port}`;
    case 'usb': {
      const d = usbDevice(p);
      if (d.kind === 'usblp') return `usb ${d.path}`;
      const serial = p.serialNumber !== undefined ? ` #${p.serialNumber}` : '';
      return `usb ${hex4(d.vendorId)}:${hex4(d.productId)}${serial}`;
    }
    case 'serial': {
      const parity = p.parity === 'none' ? 'N' : p.parity === 'even' ? 'E' : 'O';
      return `serial ${p.path} ${p.baudRate} ${p.dataBits}${parity}${p.stopBits}${p.flowControl === 'none' ? '' : ` ${p.flowControl}`}`;
    }
    case 'none':
      return 'none';
    default: {
      const never: never = p;
      throw new Error(`unknown printer transport ${JSON.stringify(never)}`);
    }
  }
}
