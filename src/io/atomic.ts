import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
    pending.add(this.#tmp);
    this.#fd = openSync(this.#tmp, 'w');
  }

  write(text: string): void {
    writeSync(this.#fd, text);
  }

  /** Renames the finished file into place. */
  commit(): void {
    closeSync(this.#fd);
    renameSync(this.#tmp, this.#path);
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
