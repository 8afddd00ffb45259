/**
 * The streamed-answer reader (main/sync/ndjson-stream.ts): complete lines only, whatever the chunk
 * boundaries (mid-line, mid-character); a body cut mid-line hands on every complete line and then
 * says `truncated`; a line over the limit, a wrong content type, bad UTF-8, a 5xx or a silence
 * longer than the timeout are `BackendUnavailable` with their reason — never a partial line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailable } from '../../../main/sync/http-json.js';
import { fetchLines } from '../../../main/sync/ndjson-stream.js';

type Script = (res: http.ServerResponse) => void | Promise<void>;
let server: http.Server;
let url: string;
const scripts = new Map<string, Script>();

beforeAll(async () => {
  server = http.createServer((req, res) => void scripts.get(req.url ?? '')?.(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const NDJSON = 'application/x-ndjson';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serve(path: string, script: Script): URL {
  scripts.set(path, script);
  return new URL(path, url);
}

/** Every line the reader hands on, and how it ended (null: complete). */
async function readAll(target: URL, opts: { maxLineBytes?: number; idleTimeoutMs?: number } = {}): Promise<{ lines: string[]; error: BackendUnavailable | null }> {
  const lines: string[] = [];
  try {
    for await (const chunk of fetchLines({ url: target, contentType: NDJSON, idleTimeoutMs: opts.idleTimeoutMs ?? 2000, maxLineBytes: opts.maxLineBytes ?? 1024 })) lines.push(...chunk);
    return { lines, error: null };
  } catch (err) {
    if (!(err instanceof BackendUnavailable)) throw err;
    return { lines, error: err };
  }
}

/** Writes `bytes` in pieces of the given sizes, letting each go out on its own. */
async function writeInPieces(res: http.ServerResponse, bytes: Buffer, sizes: readonly number[]): Promise<void> {
  let at = 0;
  for (const size of sizes) {
    res.write(bytes.subarray(at, at + size));
    at += size;
    await sleep(5);
  }
  if (at < bytes.length) res.write(bytes.subarray(at));
}

describe('fetchLines', () => {
  const body = Buffer.from('{"a":"雷洋子"}\n{"b":2}\n\n{"c":"三门峡"}\n', 'utf8');

  it('hands on complete lines whatever the chunk boundaries, also inside a character', async () => {
    // Cuts at 3 (inside 雷), 9 (inside a multi-byte char), mid-line and right after a newline.
    const target = serve('/pieces', async (res) => {
      res.writeHead(200, { 'content-type': `${NDJSON}; charset=utf-8` });
      await writeInPieces(res, body, [3, 6, 7, 1, 9]);
      res.end();
    });
    expect(await readAll(target)).toEqual({ lines: ['{"a":"雷洋子"}', '{"b":2}', '{"c":"三门峡"}'], error: null });
  });

  it('a body cut mid-line: the complete lines, then truncated — the partial line never', async () => {
    const target = serve('/cut', async (res) => {
      res.writeHead(200, { 'content-type': NDJSON });
      res.write(body.subarray(0, body.indexOf('{"c"') + 6));
      await sleep(20);
      res.destroy();
    });
    const { lines, error } = await readAll(target);
    expect(lines).toEqual(['{"a":"雷洋子"}', '{"b":2}']);
    expect(error?.reason).toBe('truncated');
  });

  it('a body that ends cleanly without its last newline is truncated too', async () => {
    const target = serve('/no-newline', (res) => {
      res.writeHead(200, { 'content-type': NDJSON });
      res.end('{"a":1}\n{"b":2}');
    });
    const { lines, error } = await readAll(target);
    expect(lines).toEqual(['{"a":1}']);
    expect(error?.reason).toBe('truncated');
  });

  it('refuses a line over the limit (also one still without its newline) before holding it', async () => {
    const long = serve('/long', (res) => {
      res.writeHead(200, { 'content-type': NDJSON });
      res.end(`{"ok":1}\n${'x'.repeat(5000)}\n`);
    });
    expect(await readAll(long)).toMatchObject({ lines: [], error: { reason: 'too_large' } });
    const endless = serve('/endless', async (res) => {
      res.writeHead(200, { 'content-type': NDJSON });
      for (let i = 0; i < 10 && !res.destroyed; i++) {
        res.write('y'.repeat(400));
        await sleep(5);
      }
      res.end();
    });
    expect((await readAll(endless)).error?.reason).toBe('too_large');
  });

  it('wrong content type, bad UTF-8, a 5xx, a 4xx and silence are unavailable with their reason', async () => {
    const json = serve('/json', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items":[]}\n');
    });
    const latin = serve('/latin', (res) => {
      res.writeHead(200, { 'content-type': NDJSON });
      res.end(Buffer.from([0x7b, 0xff, 0x7d, 0x0a]));
    });
    const failing = serve('/500', (res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
    });
    const refused = serve('/401', (res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad_signature"}');
    });
    const silent = serve('/silent', async (res) => {
      res.writeHead(200, { 'content-type': NDJSON });
      res.write('{"a":1}\n');
      await sleep(1500);
      if (!res.destroyed) res.end();
    });
    expect((await readAll(json)).error?.reason).toBe('not_json');
    expect((await readAll(latin)).error?.reason).toBe('not_json');
    expect((await readAll(failing)).error?.reason).toBe('server_error');
    expect((await readAll(refused)).error?.reason).toBe('refused');
    expect(await readAll(silent, { idleTimeoutMs: 300 })).toMatchObject({ lines: ['{"a":1}'], error: { reason: 'timeout' } });
  });
});
