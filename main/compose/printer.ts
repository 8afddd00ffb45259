/** The receipt printer the terminal config names: ESC/POS over network, USB or serial, or none. */
import type { TerminalConfig } from '../config.js';
import { EscPosReceiptPrinter } from '../../kiosk-drivers/printer/escpos-receipt-printer.js';
import { networkTransport, serialTransport, usbTransport } from '../../kiosk-drivers/printer/transports.js';
import type { ReceiptPrinter } from '../../kiosk-drivers/printer/receipt-printer.js';

export function printerFor(config: TerminalConfig): ReceiptPrinter | null {
  const p = config.printer;
  const job = p.transport === 'none' ? null : { completion: p.completion, jobTimeoutMs: p.jobTimeoutMs };
  switch (p.transport) {
    case 'network':
      return new EscPosReceiptPrinter(networkTransport(p.host, p.port), job!);
    case 'usb':
      return new EscPosReceiptPrinter(usbTransport(p.path), job!);
    case 'serial':
      return new EscPosReceiptPrinter(serialTransport(p.path), job!);
    case 'none':
      return null;
    default: {
      const never: never = p;
      throw new Error(`unknown printer transport ${JSON.stringify(never)}`);
    }
  }
}
