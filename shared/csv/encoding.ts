/**
 * Which text encoding an export is in, decided from its bytes. UTF-8 (with or without BOM) and
 * UTF-16 with a BOM announce themselves; a file that is neither is tried as GB18030 (the superset of
 * GBK and GB2312 that Taobao and JD still export), and accepted only when the decoded text reads as
 * Chinese: almost any byte string decodes as GB18030, so decoding alone proves little.
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

/** CJK ideographs, CJK punctuation and full-width forms: what Chinese text is made of. */
const isChinese = (c: number): boolean =>
  (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef);

/** Share of non-ASCII characters that must be Chinese for GB18030 to be believed. */
const MIN_CHINESE_SHARE = 0.8;

export async function detectLegacyEncoding(
  path: string,
): Promise<{ encoding: 'gb18030'; why?: undefined } | { encoding?: undefined; why: string }> {
  const decoder = new TextDecoder('gb18030', { fatal: true });
  let nonAscii = 0;
  let chinese = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x80) continue;
        nonAscii++;
        if (isChinese(c)) chinese++;
      }
    }
    decoder.decode();
  } catch {
    return { why: 'not GB18030/GBK either' };
  }
  if (nonAscii > 0 && chinese / nonAscii >= MIN_CHINESE_SHARE) return { encoding: 'gb18030' };
  return {
    why: `it does not read as GBK/GB18030 Chinese either (${chinese} of ${nonAscii} non-ASCII characters are Chinese); re-save it as UTF-8`,
  };
}
