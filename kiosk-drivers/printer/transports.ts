/** All printer transports in one place, for composition roots (main/compose/). */
export type { PrinterTransport } from './receipt-printer.js';
export { networkTransport, type NetworkTransportOptions } from './network-transport.js';
export { usbTransport, serialTransport, type FileDeviceTransportOptions } from './file-device-transport.js';
