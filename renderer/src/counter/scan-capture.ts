/**
 * Where a scan goes. The counter desk looks accounts up by whatever is scanned; while the pay panel
 * waits for the customer's payment code (付款码), a scan that looks like one goes to the panel
 * instead (a payment code never finds an account, and an account number is never a payment code).
 */
import { useEffect, useRef } from 'react';

/** A payment code as gateways issue them (the core checks the same: main/services/code-payments.ts). */
export const PAYMENT_CODE = /^(1[0-5]|2[5-9]|30)\d{14,22}$/;

type Capture = (data: string) => boolean;
let current: Capture | null = null;

/** Offered every scan first; true when it took the scan. */
export function captureScan(data: string): boolean {
  return current?.(data.trim()) ?? false;
}

/** While `active`, scanned payment codes go to `onCode`. */
export function usePaymentCodeScans(active: boolean, onCode: (code: string) => void): void {
  const handler = useRef(onCode);
  handler.current = onCode;
  useEffect(() => {
    if (!active) return undefined;
    const mine: Capture = (data) => {
      if (!PAYMENT_CODE.test(data)) return false;
      handler.current(data);
      return true;
    };
    current = mine;
    return () => {
      if (current === mine) current = null;
    };
  }, [active]);
}
