import { renameSync, rmSync, writeFileSync } from 'node:fs';
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
