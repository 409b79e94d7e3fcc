/**
 * Which text encoding an export is in, decided from its bytes. UTF-8 (with or without BOM) and
 * UTF-16 with a BOM announce themselves; a file that is neither is tried as GB18030 (the superset of
 * GBK and GB2312 that Taobao and JD still export), and accepted only when its characters are mostly
 * common Chinese: almost any byte string decodes as GB18030, so decoding alone proves little.
 */
import { createReadStream } from 'node:fs';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

/** The encoding a byte-order mark at the start of `head` announces. */
export function unicodeBom(head: Uint8Array): TextEncoding | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * Whether a GB double-byte character is common Chinese: GB2312 punctuation and symbols (lead bytes
 * A1-A9) or its first level of hanzi (B0-D7, the 3,755 characters nearly all text uses). Latin-1
 * text misread as GBK lands mostly elsewhere (é = E9, ü = FC, ß = DF lead rarely used characters).
 */
const isCommonLead = (b: number): boolean => (b >= 0xa1 && b <= 0xa9) || (b >= 0xb0 && b <= 0xd7);

/** Share of non-ASCII characters that must be common Chinese for GB18030 to be believed. */
const MIN_CHINESE_SHARE = 0.8;

export async function detectLegacyEncoding(
  path: string,
): Promise<{ encoding: 'gb18030'; why?: undefined } | { encoding?: undefined; why: string }> {
  const decoder = new TextDecoder('gb18030', { fatal: true });
  let characters = 0;
  let common = 0;
  let pending = 0; // trail bytes of a character still to skip (a chunk may end inside one)
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      decoder.decode(buf, { stream: true });
      for (let i = 0; i < buf.length; i++) {
        if (pending > 0) {
          pending--;
          continue;
        }
        const b = buf[i]!;
        if (b < 0x80) continue;
        characters++;
        if (isCommonLead(b)) common++;
        // GB18030 four-byte sequences have a digit as second byte.
        const next = buf[i + 1];
        pending = next !== undefined && next >= 0x30 && next <= 0x39 ? 3 : 1;
      }
    }
    decoder.decode();
  } catch {
    return { why: 'not GB18030/GBK either' };
  }
  if (characters > 0 && common / characters >= MIN_CHINESE_SHARE) return { encoding: 'gb18030' };
  return {
    why: `it does not read as GBK/GB18030 Chinese either (${common} of ${characters} non-ASCII characters are common Chinese); re-save it as UTF-8`,
  };
}
