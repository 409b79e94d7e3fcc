/**
 * Reads a byte range of a file as chunks of whole lines (each chunk ends just after a LF, except the
 * file's last), into one reused buffer: the byte path of ingest parses fields straight from these
 * bytes. A chunk is valid only until the handler's promise settles.
 */
import { open } from 'node:fs/promises';
import type { ByteRange } from './file-source.ts';

const CHUNK = 4 << 20;
const LF = 0x0a;

export async function readLineChunks(
  path: string,
  range: ByteRange,
  onChunk: (buf: Buffer, end: number) => void | Promise<void>,
  onBytes?: (bytesRead: number) => void,
): Promise<void> {
  const file = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let held = 0; // bytes of an unfinished line kept at the start of buf
    let position = range.start;
    let read = 0;
    const stop = range.end ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const want = Math.min(buf.length - held, stop - position);
      const { bytesRead } = want > 0 ? await file.read(buf, held, want, position) : { bytesRead: 0 };
      position += bytesRead;
      read += bytesRead;
      const filled = held + bytesRead;
      if (bytesRead === 0) {
        if (filled > 0) await onChunk(buf, filled); // the last line has no LF
        return;
      }
      const lastLf = buf.lastIndexOf(LF, filled - 1);
      if (lastLf < 0) {
        // One line longer than the buffer: make room and read on.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
        held = filled;
        continue;
      }
      await onChunk(buf, lastLf + 1);
      onBytes?.(read);
      held = filled - (lastLf + 1);
      buf.copy(buf, 0, lastLf + 1, filled);
    }
  } finally {
    await file.close();
  }
}
