import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { errnoReason } from './atomic.js';
import { InputError, UsageError } from './errors.js';
import { noteRead } from './read-log.js';

function cannotRead(display: string, e: unknown, what = 'file'): InputError {
  if (e instanceof InputError) return e;
  return new InputError(display, undefined, undefined, '', `cannot read ${what}: ${errnoReason(e)}`);
}

/** Bytes read from one descriptor at a time, at most 64 KiB a call. */
const CHUNK_BYTES = 65_536;

/**
 * Reads `fd` into `chunks` until end of input or until more than `maxBytes` bytes are held in
 * all: a device or pipe that never ends (`/dev/zero`) stops there instead of filling memory.
 * Returns the new total and whether the input ended.
 */
export function readChunks(
  fd: number,
  // Uint8Array, not Buffer, in what the package's types declare: a user's project without
  // @types/node type-checks against them.
  chunks: Uint8Array[],
  total: number,
  maxBytes: number,
): { total: number; ended: boolean } {
  let held = total;
  while (held <= maxBytes) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - held));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) return { total: held, ended: true };
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    held += n;
  }
  return { total: held, ended: false };
}

/** The one line for an input over its limit whose size was not known before reading it. */
export function overLimit(display: string, maxBytes: number): InputError {
  const mb = maxBytes / 1e6;
  return new InputError(display, 1, 1, '', `input is over ${mb} MB; input files are limited to ${mb} MB`);
}

/**
 * Reads a text input file, refusing directories, files over `maxBytes` (a regular file before
 * reading it; a device, FIFO or a file still growing once more than that has been read) and
 * binary files (a NUL byte), each as one located line with the real reason.
 */
export function readTextFile(path: string, display: string, maxBytes: number): string {
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory())
      throw new InputError(display, undefined, undefined, '', 'is a directory, not a file');
    if (st.size > maxBytes) {
      throw new InputError(
        display,
        1,
        1,
        '',
        `file is ${(st.size / 1e6).toFixed(1)} MB; input files are limited to ${maxBytes / 1e6} MB`,
      );
    }
    // The size of a device or FIFO is 0, whatever it holds: the read itself is bounded.
    const fd = openSync(path, 'r');
    const chunks: Buffer[] = [];
    try {
      if (readChunks(fd, chunks, 0, maxBytes).total > maxBytes) throw overLimit(display, maxBytes);
    } finally {
      closeSync(fd);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    throw cannotRead(display, e);
  }
  noteRead(path);
  // A byte-order mark (Excel's "CSV UTF-8" writes one) is not part of the first field or key.
  return checkText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, display);
}

/**
 * Text piped to a `-` argument, held to the same limits as a file read with `readTextFile` (size,
 * no NUL byte, a byte-order mark dropped); errors name `<stdin>`. `readStdin` is given the limit:
 * the process's reader stops once more than that has arrived (see `stdinReader`).
 */
export function readStdinText(readStdin: (maxBytes: number) => string, maxBytes: number): string {
  const text = readStdin(maxBytes);
  if (Buffer.byteLength(text) > maxBytes) throw overLimit('<stdin>', maxBytes);
  return checkText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, '<stdin>');
}

/** `-` given for more than one input: stdin holds one. */
export function assertStdinOnce(paths: readonly string[]): void {
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
}

/** A NUL byte means a binary file: say so rather than quote it back as YAML or CSV. */
export function checkText(text: string, display: string): string {
  if (text.includes('\u0000'))
    throw new InputError(display, undefined, undefined, '', 'is not a text file (it contains NUL bytes)');
  return text;
}

/** `true` for a directory, `false` for anything else that exists; errors say why it cannot be read. */
/** `display` may be a function: the name shown is worked out only when the path cannot be read. */
export function isDirectory(path: string, display: string | (() => string), what = 'file'): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (e) {
    throw cannotRead(typeof display === 'string' ? display : display(), e, what);
  }
}

/** Names in a directory, sorted; an unreadable directory is one line with the reason. */
export function listDirectory(path: string, display: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (e) {
    throw cannotRead(display, e, 'directory');
  }
}
