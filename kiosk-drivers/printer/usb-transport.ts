/**
 * The thin libusb adapter of the USB printer transport: hands `usb`'s (2.x, libusb) devices to the
 * tested core (usb-printer-core.ts). The native module is loaded on first use, so a machine
 * where it cannot load (no libusb for this platform) fails that printer with a DeviceError, not
 * the whole terminal at start.
 *
 * Windows: the printer must use the WinUSB driver (Zadig, or the vendor's INF), not usbprint.sys;
 * Linux: a udev rule lets the kiosk user open it, and the kernel's usblp is detached while the
 * terminal holds the interface (docs/deploy/drivers.md).
 */
import type { Device } from 'usb';
import type { PrinterTransport } from './receipt-printer.js';
import { UsbPrinterTransport, type UsbBackend, type UsbDeviceLike, type UsbPrinterMatch, type UsbPrinterTransportOptions } from './usb-printer-core.js';

export type { UsbPrinterMatch, UsbPrinterTransportOptions } from './usb-printer-core.js';

/** The core's device shape is the `usb` package's: this fails to compile if the package changes it. */
const asUsbDeviceLike = (d: Device): UsbDeviceLike => d;

export const libusbBackend: UsbBackend = {
  async list() {
    const usb = await import('usb');
    return usb.getDeviceList().map(asUsbDeviceLike);
  },
};

/** A USB printer by vendor/product id (and serial number), through libusb. */
export function libusbTransport(match: UsbPrinterMatch, opts: UsbPrinterTransportOptions = {}, backend: UsbBackend = libusbBackend): PrinterTransport {
  return new UsbPrinterTransport(match, backend, opts);
}
