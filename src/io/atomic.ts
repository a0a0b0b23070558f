import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from './errors.js';

/** A write that failed for a reason the user can fix: one line, exit 2. */
function cannotWrite(path: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'its directory does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'ENOSPC'
            ? 'no space left on the device'
            : String(code ?? e);
  return new InputError(path, undefined, undefined, '', `cannot write the output file: ${why}`);
}

/** Temp files written but not yet renamed; removed if the process is interrupted. */
const pending = new Set<string>();

export function removePendingFiles(): void {
  for (const f of pending) rmSync(f, { force: true });
  pending.clear();
}

/** Writes `text` to a temp file beside `path`, then renames it: readers never see half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.infercost-tmp-${process.pid}`);
  pending.add(tmp);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    throw cannotWrite(path, e);
  } finally {
    rmSync(tmp, { force: true });
    pending.delete(tmp);
  }
}

/** A file written in pieces that appears under its name only when complete (temp file, rename). */
export class AtomicFileStream {
  readonly #path: string;
  readonly #tmp: string;
  readonly #fd: number;

  constructor(path: string) {
    this.#path = path;
    this.#tmp = join(dirname(path), `.${basename(path)}.infercost-tmp-${process.pid}`);
    try {
      this.#fd = openSync(this.#tmp, 'w');
    } catch (e) {
      throw cannotWrite(path, e);
    }
    pending.add(this.#tmp);
  }

  write(text: string): void {
    try {
      writeSync(this.#fd, text);
    } catch (e) {
      this.abort();
      throw cannotWrite(this.#path, e);
    }
  }

  /** Renames the finished file into place. */
  commit(): void {
    closeSync(this.#fd);
    try {
      renameSync(this.#tmp, this.#path);
    } catch (e) {
      this.abort();
      throw cannotWrite(this.#path, e);
    }
    pending.delete(this.#tmp);
  }

  /** Drops the partial file. */
  abort(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    rmSync(this.#tmp, { force: true });
    pending.delete(this.#tmp);
  }
}
