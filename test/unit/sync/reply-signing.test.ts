/**
 * Reply signing (main/sync/signing.ts) and its check on the one reader (main/sync/http-json.ts via
 * main/sync/signed-exchange.ts): a reply counts only when signed with the terminal's secret for
 * exactly the request it answers; a signed refusal still tells the backend's clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BackendRejected, BackendUnavailable, requestJson } from '../../../main/sync/http-json.js';
import { signedExchange } from '../../../main/sync/signed-exchange.js';
import { DEMO_TERMINAL, REPLY_HEADERS, SIGNATURE_HEADERS, signReply, verifyReply } from '../../../main/sync/signing.js';

// Vectors computed independently with `printf '<message>' | openssl dgst -sha256 -hmac '<secret>'`.
const REQUEST_SIG = '22ee3b73c82be4dbac76c720b9defb035274bfb9d8a8e8c8381b1f4fd7bafc81';
const NONCE = '00112233445566778899aabbccddeeff';
const REPLY_TS = '1795745600123';

describe('reply signing', () => {
  it('is HMAC-SHA256 over a context line, status, request signature, nonce, reply timestamp and body', () => {
    expect(signReply(DEMO_TERMINAL.secret, 200, REQUEST_SIG, NONCE, REPLY_TS, '{"results":[]}')).toBe(
      '036caa05034a2bd4bf89d6d13edef88befe6708bca5e854204c5f4ea7debf043',
    );
    expect(signReply(DEMO_TERMINAL.secret, 401, REQUEST_SIG, '', Number(REPLY_TS), '{"error":"stale_timestamp"}')).toBe(
      'c088271f88a037c69c3e88dadf65cd6d91ec383911b0be31203fe600bc9e2544',
    );
  });

  it('verifies its own signature and refuses any change, another request or another key', () => {
    const body = '{"results":[{"eventId":"e1","status":"accepted"}]}';
    const sig = signReply('s3cret', 200, REQUEST_SIG, NONCE, REPLY_TS, body);
    expect(verifyReply('s3cret', 200, REQUEST_SIG, NONCE, REPLY_TS, body, sig)).toBe(true);
    expect(verifyReply('s3cret', 200, REQUEST_SIG, NONCE, REPLY_TS, body.replace('accepted', 'rejected'), sig)).toBe(false);
    expect(verifyReply('s3cret', 201, REQUEST_SIG, NONCE, REPLY_TS, body, sig)).toBe(false);
    expect(verifyReply('s3cret', 200, REQUEST_SIG.replace('22', '23'), NONCE, REPLY_TS, body, sig)).toBe(false);
    expect(verifyReply('s3cret', 200, REQUEST_SIG, NONCE.replace('00', '01'), REPLY_TS, body, sig)).toBe(false);
    expect(verifyReply('s3cret', 200, REQUEST_SIG, NONCE, String(Number(REPLY_TS) + 1), body, sig)).toBe(false);
    expect(verifyReply('other', 200, REQUEST_SIG, NONCE, REPLY_TS, body, sig)).toBe(false);
    expect(verifyReply('s3cret', 200, REQUEST_SIG, NONCE, 'soon', body, sig)).toBe(false);
    expect(verifyReply('s3cret', 200, REQUEST_SIG, NONCE, REPLY_TS, body, 'zz')).toBe(false);
  });
});

describe('signed exchange on the reader', () => {
  const Schema = z.object({ ok: z.boolean() });
  /** How the test server answers the next request. */
  let mode: 'signed' | 'unsigned' | 'wrong_key' | 'other_request' | 'signed_404' | 'forged_404' | 'signed_401' = 'signed';
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      const status = mode === 'signed_404' || mode === 'forged_404' ? 404 : mode === 'signed_401' ? 401 : 200;
      const body = status === 404 ? '{"error":"not_found"}' : status === 401 ? '{"error":"stale_timestamp"}' : '{"ok":true}';
      const reqSig = String(req.headers[SIGNATURE_HEADERS.signature]);
      const nonce = String(req.headers[SIGNATURE_HEADERS.nonce]);
      const key = mode === 'wrong_key' || mode === 'forged_404' ? 'not-the-terminal-secret' : DEMO_TERMINAL.secret;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (mode !== 'unsigned') {
        headers[REPLY_HEADERS.timestamp] = REPLY_TS;
        headers[REPLY_HEADERS.signature] = signReply(key, status, mode === 'other_request' ? REQUEST_SIG : reqSig, nonce, REPLY_TS, body);
      }
      res.writeHead(status, headers).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const send = async (answers?: (s: number) => boolean) => {
    const ex = signedExchange({ terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, tsMs: 1_795_745_600_000, method: 'GET', pathWithQuery: '/api/x', body: '' });
    try {
      return { value: await requestJson({ url: new URL('/api/x', base), method: 'GET', headers: ex.headers, timeoutMs: 3000, reply: ex.reply, ...(answers ? { answers } : {}) }, Schema), backendTime: ex.backendTime() };
    } catch (err) {
      return { error: err, backendTime: ex.backendTime() };
    }
  };

  it('takes a reply signed for this request and reads the backend clock from it', async () => {
    mode = 'signed';
    expect(await send()).toEqual({ value: { ok: true }, backendTime: Number(REPLY_TS) });
  });

  it.each(['unsigned', 'wrong_key', 'other_request'] as const)('refuses a %s reply as bad_signature, and learns no clock from it', async (m) => {
    mode = m;
    const r = await send();
    expect(r.error).toBeInstanceOf(BackendUnavailable);
    expect(r.error).toMatchObject({ reason: 'bad_signature', status: 200 });
    expect(r.backendTime).toBeNull();
  });

  it('an expected refusal counts only when signed too', async () => {
    mode = 'signed_404';
    expect((await send((s) => s === 404)).error).toBeInstanceOf(BackendRejected);
    mode = 'forged_404';
    expect((await send((s) => s === 404)).error).toMatchObject({ reason: 'bad_signature', status: 404 });
  });

  it('a signed refusal is still unavailable, but tells the backend clock', async () => {
    mode = 'signed_401';
    const r = await send();
    expect(r.error).toMatchObject({ reason: 'refused', status: 401 });
    expect(r.backendTime).toBe(Number(REPLY_TS));
  });
});
