/**
 * Device state as the renderer sees it: the list from `devices.status` kept current by
 * `device.statusChanged`, and the printer's health from `devices.health` + `printer.statusChanged`.
 * Small scoped hooks; the core owns the truth.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DeviceHealthView, DeviceStatusView, PrinterHealthView } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { call } from '../rpc';

export function useDeviceList(): { devices: readonly DeviceStatusView[]; checkedAt: string | null; refresh: () => Promise<void> } {
  const [devices, setDevices] = useState<readonly DeviceStatusView[]>([]);
  const [checkedAt, setCheckedAt] = useState<string | null>(null);

  const load = useCallback(async (probe: boolean) => {
    const r = probe ? await call('devices.refresh', {}) : await call('devices.status', {});
    if (!r.ok) return;
    setDevices(r.result.devices);
    setCheckedAt(r.result.checkedAt);
  }, []);

  useEffect(() => {
    void load(false);
    return bridge.subscribe('device.statusChanged', (s) => {
      setDevices((list) => (list.some((d) => d.id === s.id) ? list.map((d) => (d.id === s.id ? s : d)) : [...list, s]));
    });
  }, [load]);

  return { devices, checkedAt, refresh: () => load(true) };
}

export function useDeviceHealth(): DeviceHealthView | null {
  const [health, setHealth] = useState<DeviceHealthView | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () => void call('devices.health', {}).then((r) => alive && r.ok && setHealth(r.result));
    load();
    const offPrinter = bridge.subscribe('printer.statusChanged', (printer: PrinterHealthView) =>
      setHealth((h) => (h ? { ...h, printer } : h)),
    );
    // Card writer / scanner availability follows device status changes.
    const offDevice = bridge.subscribe('device.statusChanged', (s) => {
      if (s.kind !== 'printer') load();
    });
    return () => {
      alive = false;
      offPrinter();
      offDevice();
    };
  }, []);
  return health;
}

