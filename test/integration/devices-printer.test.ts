/**
 * Printer health through the contract, against the TCP printer simulator: each fault switch gives
 * the typed error on a test print AND the `printer.statusChanged` / device status the UI acts on;
 * a cleared fault prints again and the test page is decoded at the simulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayloads, MethodName, ParamsOf, ResultOf, RpcResponse } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { collectEvents, until } from '../support/events.js';
import { call as typedCall, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let supervisor: Session;

const collect = <E extends EventName>(event: E): EventPayloads[E][] => collectEvents(stack.core, event);

const call = (method: string, params: unknown = {}, session = supervisor): Promise<RpcResponse> => stack.core.dispatch(method, params, session);

/** The result of a call that must succeed, typed by the contract. */
const ok = <K extends MethodName>(method: K, params: ParamsOf<K> = {} as ParamsOf<K>): Promise<ResultOf<K>> => typedCall(stack.core, method, params, supervisor);

async function printerState() {
  const p = (await ok('devices.status')).devices.find((d) => d.id === 'printer');
  if (!p) throw new Error('no printer in device list');
  return p;
}

beforeAll(async () => {
  stack = await startStack();
  supervisor = await signedIn(stack.core, 'S001', '9999');
});

afterAll(async () => {
  await stack?.dispose();
});

beforeEach(async () => {
  stack.printer.setFault(null);
  await call('devices.refresh', { deviceId: 'printer' });
});

describe('printer faults through the device manager', () => {
  it('prints a test page that the simulator decodes (zh-CN and en), with the receipt preview returned', async () => {
    const before = stack.printer.jobs().length;
    const zh = await ok('devices.testPrint', { receiptLocale: 'zh-CN' });
    const job = await stack.printer.waitForJob(before);
    expect(job.text).toContain('打印机自检');
    expect(job.text).toContain('中文测试：电费缴纳');
    expect(job.text).toContain(stack.config.terminalId);
    expect(job.text).toContain('S001');
    expect(job.cut).toBe(true);
    expect(zh.preview.join('\n')).toContain('打印机自检');

    const en = await call('devices.testPrint', { receiptLocale: 'en' });
    expect(en.ok).toBe(true);
    expect((await stack.printer.waitForJob(before + 1)).text).toContain('Printer self-test');
  });

  it.each([
    ['paper_out', 'printer.paper_out', 'diagnostics.state.paperOut', { paperOut: true }],
    ['cover_open', 'printer.cover_open', 'diagnostics.state.coverOpen', { coverOpen: true }],
    ['offline', 'printer.offline', 'diagnostics.state.offline', { online: false }],
    ['cutter_error', 'printer.cutter_error', 'diagnostics.state.error', { online: false, error: true }],
  ] as const)('fault %s → %s on print, printer.statusChanged and the device list say so', async (fault, code, stateKey, bits) => {
    const health = collect('printer.statusChanged');
    const jobs = stack.printer.jobs().length;
    stack.printer.setFault(fault);

    const r = await call('devices.testPrint', {});
    expect(r).toMatchObject({ ok: false, error: { code, i18nKey: `errors.${code}` } });
    // Refused before the job: nothing reached the paper.
    expect(stack.printer.jobs().length).toBe(jobs);

    // The event is out by the time the error is returned.
    expect(health.at(-1)).toMatchObject({ configured: true, connected: true, fault: code, status: bits });
    expect(await printerState()).toMatchObject({ connection: 'connected', health: 'fault', fault: code, stateKey, lastError: { code } });

    const h = await call('devices.health', {}, await signedIn(stack.core, 'C001', '1234'));
    expect(h).toMatchObject({ ok: true, result: { printer: { fault: code } } });

    stack.printer.setFault(null);
    await call('devices.refresh', { deviceId: 'printer' });
    expect(health.at(-1)).toMatchObject({ connected: true, fault: null });
    expect(await printerState()).toMatchObject({ health: 'ok', fault: null, stateKey: 'diagnostics.state.ready' });
    expect((await call('devices.testPrint', {})).ok).toBe(true);
  });

  it('bad_status → printer.bad_status on print; the device list shows the fault, still connected; cleared → ok', async () => {
    const devices = collect('device.statusChanged');
    const jobs = stack.printer.jobs().length;
    stack.printer.setFault('bad_status');
    expect(await call('devices.testPrint', {})).toMatchObject({ ok: false, error: { code: 'printer.bad_status', i18nKey: 'errors.printer.bad_status' } });
    expect(stack.printer.jobs().length).toBe(jobs);
    const fault = { connection: 'connected', health: 'fault', fault: 'printer.bad_status', stateKey: 'diagnostics.state.error', lastError: { code: 'printer.bad_status' } };
    expect(devices.filter((d) => d.id === 'printer').at(-1)).toMatchObject(fault);
    expect(await printerState()).toMatchObject(fault);
    stack.printer.setFault(null);
    await call('devices.refresh', { deviceId: 'printer' });
    expect(await printerState()).toMatchObject({ health: 'ok', fault: null });
  });

  it('paper runs out while the page prints → printer.paper_out although the job reached the printer; the UI shows paper out', async () => {
    const health = collect('printer.statusChanged');
    const jobs = stack.printer.jobs().length;
    stack.printer.setFault('paper_out_mid_job');
    const r = await call('devices.testPrint', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'printer.paper_out', details: { phase: 'printing' } } });
    expect(stack.printer.jobs().length).toBe(jobs + 1);
    expect(health.at(-1)).toMatchObject({ connected: true, fault: 'printer.paper_out', status: { paperOut: true } });
    expect(await printerState()).toMatchObject({ health: 'fault', fault: 'printer.paper_out', stateKey: 'diagnostics.state.paperOut' });
  });

  it('paper near end is a warning: the page prints and the UI is told to get a roll ready', async () => {
    const health = collect('printer.statusChanged');
    stack.printer.setFault('paper_near_end');
    expect((await call('devices.testPrint', {})).ok).toBe(true);
    await until(() => health.some((h) => h.paperNearEnd));
    expect(health.at(-1)).toMatchObject({ fault: null, paperNearEnd: true });
    expect(await printerState()).toMatchObject({ health: 'warning', stateKey: 'diagnostics.state.paperNearEnd' });
  });

  it('disconnect mid-job → device.disconnected error, the printer is reported gone and then reconnected', async () => {
    const devices = collect('device.statusChanged');
    const health = collect('printer.statusChanged');
    stack.printer.setFault('disconnect_mid_job');
    const r = await call('devices.testPrint', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'device.disconnected' } });
    const printerEvents = () => devices.filter((d) => d.id === 'printer').map((d) => d.connection);
    expect(printerEvents()).toContain('disconnected');
    expect(health.some((h) => !h.connected && h.fault === 'device.disconnected')).toBe(true);
    // Status queries still work on a new connection: the manager finds the printer again.
    await until(() => printerEvents().at(-1) === 'connected');
    expect(await printerState()).toMatchObject({ connection: 'connected', lastError: { code: 'device.disconnected' } });
  });

  it('a printer that stops answering is disconnected; diagnostics are for supervisors, health for every clerk', async () => {
    stack.printer.setFault('unresponsive');
    await call('devices.refresh', { deviceId: 'printer' });
    expect(await printerState()).toMatchObject({ connection: 'disconnected', fault: 'device.disconnected', lastError: { code: 'device.timeout' } });

    const clerk = await signedIn(stack.core, 'C001', '1234');
    expect(await call('devices.testPrint', {}, clerk)).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
    expect(await call('devices.status', {}, clerk)).toMatchObject({ ok: false, error: { code: 'auth.forbidden' } });
    expect(await call('devices.health', {}, clerk)).toMatchObject({ ok: true, result: { printer: { connected: false, fault: 'device.disconnected' } } });
    expect(await call('devices.refresh', { deviceId: 'nope' })).toMatchObject({ ok: false, error: { code: 'device.not_found' } });
  });
});
