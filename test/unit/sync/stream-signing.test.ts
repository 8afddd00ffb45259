/**
 * Signed streams (main/sync/stream-signing.ts): the terminal hands on a chunk of lines only once the
 * backend's chained signature over it verified — a changed line, a dropped, repeated or reordered
 * chunk, or a chunk signed for another request is `bad_signature`, and nothing of it comes out.
 */
import { describe, expect, it } from 'vitest';
import { StreamByteVerifier, StreamSigner, StreamVerifier, type StreamBinding } from '../../../main/sync/stream-signing.js';
import { mulberry32 } from '../../support/prng.js';

const binding: StreamBinding = { secret: 's3cret', requestSignature: 'a'.repeat(64), nonce: 'n-1', replyTs: '1796176800000' };

/** What the backend writes: each chunk's lines, then its mac line. */
function signedChunks(chunks: readonly string[][], b: StreamBinding = binding): string[][] {
  const signer = new StreamSigner(b);
  return chunks.map((lines) => {
    const text = lines.map((l) => `${l}\n`).join('');
    return [...lines, signer.seal(text).trimEnd()];
  });
}

const chunks = [['{"kind":"begin"}'], ['{"kind":"account","cursor":"1"}', '{"kind":"account","cursor":"2"}'], ['{"kind":"end"}']];

describe('stream signing', () => {
  it('hands on each chunk once its mac verified, whatever the read boundaries', () => {
    const verifier = new StreamVerifier(binding);
    const flat = signedChunks(chunks).flat();
    const out = [...verifier.take(flat.slice(0, 2)), ...verifier.take(flat.slice(2, 3)), ...verifier.take(flat.slice(3))];
    expect(out).toEqual(chunks.flat());
    expect(verifier.unsealed()).toBe(0);
    // Lines whose mac has not come yet are held, not handed on.
    const early = new StreamVerifier(binding);
    expect(early.take(flat.slice(0, 4))).toEqual(['{"kind":"begin"}']);
    expect(early.unsealed()).toBe(2);
  });

  it('refuses a changed line, a dropped, repeated or reordered chunk, and another request\'s chunks', () => {
    const signed = signedChunks(chunks);
    const refuse = (lines: string[], b: StreamBinding = binding) => {
      const verifier = new StreamVerifier(b);
      let out: string[] = [];
      const err = (() => {
        try {
          out = verifier.take(lines);
          return null;
        } catch (e) {
          return e;
        }
      })();
      return { err, out };
    };
    const changed = signed.map((c) => [...c]);
    (changed[1] as string[])[0] = '{"kind":"account","cursor":"9"}';
    const cases = {
      changed: changed.flat(),
      dropped: [...(signed[0] as string[]), ...(signed[2] as string[])],
      repeated: [...(signed[0] as string[]), ...(signed[1] as string[]), ...(signed[1] as string[])],
      reordered: [...(signed[1] as string[]), ...(signed[0] as string[])],
    };
    for (const [name, lines] of Object.entries(cases)) {
      const { err } = refuse(lines);
      expect(err, name).toMatchObject({ reason: 'bad_signature' });
    }
    expect(refuse(signed.flat(), { ...binding, nonce: 'n-2' }).err).toMatchObject({ reason: 'bad_signature' });
    expect(refuse(signed.flat(), { ...binding, secret: 'other' }).err).toMatchObject({ reason: 'bad_signature' });
  });

  it('on bytes (what the snapshot stream uses): the same lines out and the same refusals, whatever the line-aligned read boundaries', () => {
    const many = [
      ['{"kind":"begin"}'],
      ['{"kind":"account","cursor":"1","name":"雷洋子"}', '{"kind":"account","cursor":"2","name":"三门峡宏达大药房"}'],
      ['{"kind":"end"}'],
    ];
    const signed = signedChunks(many);
    const bytes = (lines: string[]) => Buffer.from(lines.map((l) => `${l}\n`).join(''));
    const all = signed.flat();
    const rng = mulberry32(7);
    for (let round = 0; round < 50; round++) {
      // Some rounds with a held-lines buffer far smaller than a chunk: it must grow and keep order.
      const verifier = round % 2 === 0 ? new StreamByteVerifier(binding) : new StreamByteVerifier(binding, 1 + (round % 7));
      let out = '';
      for (let i = 0; i < all.length; ) {
        const n = 1 + Math.floor(rng() * 3);
        out += verifier.take(bytes(all.slice(i, i + n))).toString('utf8');
        i += n;
      }
      expect(out.split('\n').filter((l) => l !== '')).toEqual(many.flat());
      expect(verifier.unsealed()).toBe(0);
    }
    const early = new StreamByteVerifier(binding);
    expect(early.take(bytes(all.slice(0, 4))).toString()).toBe('{"kind":"begin"}\n');
    expect(early.unsealed()).toBe(2);

    const changed = signed.map((c) => [...c]);
    (changed[1] as string[])[0] = '{"kind":"account","cursor":"1","name":"雷洋丑"}';
    const cases: Record<string, [string[], StreamBinding]> = {
      changed: [changed.flat(), binding],
      dropped: [[...(signed[0] as string[]), ...(signed[2] as string[])], binding],
      repeated: [[...(signed[0] as string[]), ...(signed[1] as string[]), ...(signed[1] as string[])], binding],
      reordered: [[...(signed[1] as string[]), ...(signed[0] as string[])], binding],
      otherNonce: [all, { ...binding, nonce: 'n-2' }],
      otherSecret: [all, { ...binding, secret: 'other' }],
    };
    for (const [name, [lines, b]] of Object.entries(cases)) {
      const verifier = new StreamByteVerifier(b);
      let out = '';
      const take = () => {
        for (const line of lines) out += verifier.take(bytes([line])).toString();
      };
      expect(take, name).toThrow(expect.objectContaining({ reason: 'bad_signature' }));
      // Nothing of the refused chunk came out.
      expect(out, name).not.toContain('丑');
    }
  });
});
