/**
 * The loopback host shell: serves the renderer, and its RPC socket accepts only this launch's
 * secret from its own origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ withHost: true });
});
afterAll(async () => stack.dispose());

function open(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rpc(ws: WebSocket, id: number, method: string, params: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      if (msg.id === id) resolve(msg);
    });
    ws.send(JSON.stringify({ id, method, params }));
  });
}

describe('host shell', () => {
  it('binds to loopback, serves the renderer with a CSP, and refuses path traversal', async () => {
    const host = stack.host!;
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = await fetch(`${host.origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('<div id="root">');
    const traversal = await fetch(`${host.origin}/..%2f..%2fpackage.json`);
    expect([403, 404]).toContain(traversal.status);
  });

  it('accepts the launch secret from its own origin and carries the RPC', async () => {
    const host = stack.host!;
    const secret = new URL(host.launchUrl).hash.replace('#k=', '');
    const ws = await open(`ws://127.0.0.1:${host.port}/rpc?k=${secret}`, host.origin);
    const answer = await rpc(ws, 1, 'system.info', {});
    expect(answer).toMatchObject({ id: 1, ok: true, result: { terminalId: 'T-HALL-01' } });
    const bad = await rpc(ws, 2, 'payment.create', { amount: 5 });
    expect(bad).toMatchObject({ id: 2, ok: false, error: { code: 'auth.not_signed_in' } });
    ws.close();
  });

  it('refuses a wrong secret and a foreign origin', async () => {
    const host = stack.host!;
    const secret = new URL(host.launchUrl).hash.replace('#k=', '');
    await expect(open(`ws://127.0.0.1:${host.port}/rpc?k=wrong`, host.origin)).rejects.toThrow(/403/);
    await expect(open(`ws://127.0.0.1:${host.port}/rpc?k=${secret}`, 'https://evil.example')).rejects.toThrow(/403/);
  });
});
