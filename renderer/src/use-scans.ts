import { useEffect, useRef } from 'react';
import { KeystrokeBurstDetector } from '../../kiosk-drivers/scanner/keystroke-burst-detector.js';
import { bridge } from './bridge';

/**
 * Every scan, whatever the scanner's mode: HID POS/wedge scanners the core reads (`scan.received`),
 * and keyboard-wedge scanners the OS owns (Windows), seen here as keystroke bursts. Keys typed into
 * an input field are left to that field — a wedge scan into the focused lookup box just works.
 * On Linux a wedge scanner's hidraw node and its keystrokes can both report one scan, so the same
 * data within DUPLICATE_WINDOW_MS counts once.
 */
const DUPLICATE_WINDOW_MS = 500;

export function useScans(onScan: (data: string) => void): void {
  const handler = useRef(onScan);
  handler.current = onScan;

  useEffect(() => {
    let last = { data: '', at: -Infinity };
    const deliver = (data: string) => {
      const at = performance.now();
      if (data === last.data && at - last.at < DUPLICATE_WINDOW_MS) return;
      last = { data, at };
      handler.current(data);
    };
    const offCore = bridge.subscribe('scan.received', (scan) => deliver(scan.data));
    const detector = new KeystrokeBurstDetector();
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable)) return;
      const decision = detector.key(e.key, e.timeStamp);
      if (decision.scan) {
        e.preventDefault();
        deliver(decision.scan.data);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      offCore();
      window.removeEventListener('keydown', onKey, true);
    };
  }, []);
}
