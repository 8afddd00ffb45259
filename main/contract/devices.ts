/**
 * Device methods and events of the contract (health, diagnostics). Owned by the device area;
 * merged into the contract's method and event maps in ./index.ts.
 */
import type { Access } from './roles.js';

export const deviceMethodSchemas = {} as const;

export const deviceMethodAccess: { readonly [K in keyof typeof deviceMethodSchemas]: Access } = {};

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DeviceMethodResults {}

export interface PrinterStatusEvent {
  readonly online: boolean;
  readonly paperNearEnd: boolean;
  readonly paperOut: boolean;
  readonly coverOpen: boolean;
  readonly error: boolean;
}

export interface DeviceEventPayloads {
  'printer.statusChanged': PrinterStatusEvent;
}

export const DEVICE_EVENT_NAMES: readonly (keyof DeviceEventPayloads)[] = ['printer.statusChanged'];
