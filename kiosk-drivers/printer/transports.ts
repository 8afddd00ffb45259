/** All printer transports in one place, for composition roots (main/compose/). */
export type { PrinterTransport } from './receipt-printer.js';
export { networkTransport, type NetworkTransportOptions } from './network-transport.js';
export { usbTransport, type FileDeviceTransportOptions } from './file-device-transport.js';
export {
  serialTransport,
  systemSerialPort,
  type SerialTransportOptions,
  type SerialLineSettings,
  type SerialParity,
  type SerialFlowControl,
  type SerialPortFactory,
} from './serial-transport.js';
export { libusbTransport, type UsbPrinterMatch, type UsbPrinterTransportOptions } from './usb-transport.js';
