// Every file this process has read as input (workloads, profiles, measured rows, price catalogs,
// saved results, config). An output file is checked against all of them before it is written, so
// `-o` can never replace a file the run read, however it was found: named on the command line, in
// a folder, under --profiles, or bundled.
import { resolve } from 'node:path';

const read = new Set<string>();

export function noteRead(path: string): void {
  read.add(resolve(path));
}

export function filesRead(): readonly string[] {
  return [...read];
}
