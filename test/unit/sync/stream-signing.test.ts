/**
 * Signed streams (main/sync/stream-signing.ts): the terminal hands on a chunk of lines only once the
 * backend's chained signature over it verified — a changed line, a dropped, repeated or reordered
 * chunk, or a chunk signed for another request is `bad_signature`, and nothing of it comes out.
 */
import { describe, expect, it } from 'vitest';
import { StreamSigner, StreamVerifier, type StreamBinding } from '../../../main/sync/stream-signing.js';

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
});
