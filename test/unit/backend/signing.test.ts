import { describe, expect, it } from 'vitest';
import { checkSignedRequest, DEMO_TERMINAL, MAX_CLOCK_SKEW_MS, signedHeaders, signRequest, verifySignature } from '../../../main/sync/signing.js';

// Vectors computed independently with `printf '<message>' | openssl dgst -sha256 -hmac '<secret>'`.
const TS = 1795745600000;
const POST_BODY = '{"terminalId":"T-HALL-01","events":[]}';

describe('request signing', () => {
  it('matches HMAC-SHA256 over ts, method, path with query and body, joined by newlines', () => {
    expect(signRequest(DEMO_TERMINAL.secret, TS, 'POST', '/api/events', POST_BODY)).toBe(
      '22ee3b73c82be4dbac76c720b9defb035274bfb9d8a8e8c8381b1f4fd7bafc81',
    );
    expect(signRequest(DEMO_TERMINAL.secret, String(TS), 'get', '/api/accounts?q=%E7%8E%8B', '')).toBe(
      '98d77941576c584de76893332da973280ca9259291b38564be51dd584116b62d',
    );
  });

  it('verifies its own signature and refuses any change', () => {
    const sig = signRequest('s3cret', TS, 'POST', '/api/events', POST_BODY);
    expect(verifySignature('s3cret', String(TS), 'POST', '/api/events', POST_BODY, sig)).toBe(true);
    expect(verifySignature('s3cret', String(TS), 'POST', '/api/events', POST_BODY + ' ', sig)).toBe(false);
    expect(verifySignature('s3cret', String(TS + 1), 'POST', '/api/events', POST_BODY, sig)).toBe(false);
    expect(verifySignature('other', String(TS), 'POST', '/api/events', POST_BODY, sig)).toBe(false);
    expect(verifySignature('s3cret', String(TS), 'POST', '/api/events', POST_BODY, 'zz')).toBe(false);
  });

  it('checks headers, terminal, clock skew and signature', () => {
    const secretFor = (id: string): string | undefined => (id === 'T1' ? 'k1' : undefined);
    const good = signedHeaders('T1', 'k1', TS, 'GET', '/api/operators', '');
    expect(checkSignedRequest(good, 'GET', '/api/operators', '', TS, secretFor)).toEqual({ ok: true, terminalId: 'T1' });
    expect(checkSignedRequest(good, 'GET', '/api/operators', '', TS + MAX_CLOCK_SKEW_MS, secretFor).ok).toBe(true);
    expect(checkSignedRequest(good, 'GET', '/api/operators', '', TS + MAX_CLOCK_SKEW_MS + 1, secretFor)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(checkSignedRequest(good, 'GET', '/api/operators', '', TS - MAX_CLOCK_SKEW_MS - 1, secretFor)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(checkSignedRequest(good, 'GET', '/api/operators?x=1', '', TS, secretFor)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(checkSignedRequest({}, 'GET', '/api/operators', '', TS, secretFor)).toEqual({ ok: false, reason: 'unsigned' });
    const stranger = signedHeaders('T9', 'k1', TS, 'GET', '/api/operators', '');
    expect(checkSignedRequest(stranger, 'GET', '/api/operators', '', TS, secretFor)).toEqual({ ok: false, reason: 'unknown_terminal' });
  });
});
