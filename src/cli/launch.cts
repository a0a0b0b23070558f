// Start-up plumbing for bin/infercost, written as CommonJS (this file is .cts; bin/ is a
// CommonJS scope through bin/package.json) because Node's ES module loader costs a start-up
// about 10-15 ms here: its own set-up, and an ES module facade for each builtin it imports (the
// one for node:fs reads every export, which loads the whole stream machinery for fs.ReadStream).
// The CLI ships as one CommonJS bundle (dist/cli/main.cjs, made by build.mjs) compiled through a
// V8 code cache written at build time: on Node 20, which has no module compile cache, this halves
// the time from process start to the first output.
// A cache that does not match this Node is ignored and the bundle compiles as usual. V8 checks a
// cache against the source's length only, and a stale cache for a bundle of the same length
// crashed the process (seen here after a rebuild), so the cache starts with the SHA-1 of the
// bundle it was made from and is used only when that matches. build.mjs computes that SHA-1 and
// appends it to the bundle as its last line, so starting up compares two strings instead of
// loading node:crypto and hashing 800 KB (about 10 ms of every start).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type { CliIo } from './io.js';

interface CliModule {
  run(): void;
  main(argv: readonly string[], io: CliIo): Promise<number>;
}

const BUNDLE = join(__dirname, 'main.cjs');
const CACHE = `${BUNDLE}.cache`;

const TRAILER = /\/\/# infercost-build ([0-9a-f]{40})\n$/;

/** The SHA-1 build.mjs appended to the bundle, or undefined for a bundle without it. */
function buildId(source: string): string | undefined {
  return TRAILER.exec(source.slice(-80))?.[1];
}

function compile(): { script: Script; cli: CliModule } {
  const source = readFileSync(BUNDLE, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    const id = buildId(source);
    const file = readFileSync(CACHE);
    cachedData =
      id !== undefined && file.subarray(0, 40).toString('latin1') === id ? file.subarray(40) : undefined;
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, cachedData ? { filename: BUNDLE, cachedData } : { filename: BUNDLE });
  const module = { exports: {} as CliModule };
  const factory = script.runInThisContext() as (...args: unknown[]) => void;
  factory(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { script, cli: module.exports };
}

/** Runs the CLI on the process's arguments and streams. */
export function launch(): void {
  compile().cli.run();
}

/** Build step: run the common commands once so their functions are compiled, then save the cache. */
export async function writeCodeCache(): Promise<void> {
  const { script, cli } = compile();
  const chat = join(__dirname, '..', '..', 'profiles', 'workloads', 'chat.yaml');
  const io: CliIo = {
    stdout: () => {},
    stderr: () => {},
    env: {},
    stdoutIsTty: false,
    stderrIsTty: false,
    readStdin: () => readFileSync(chat, 'utf8'),
    today: '2026-01-01',
  };
  for (const format of ['json', 'table', 'csv']) await cli.main(['compare', chat, '--format', format], io);
  // A bundled workload comes validated from dist/bundled.json; a user's is parsed and validated
  // (YAML, the schemas): read one from stdin so that path is compiled into the cache too.
  await cli.main(['compare', '-', '--format', 'json'], io);
  const id = buildId(readFileSync(BUNDLE, 'utf8'));
  if (id === undefined) return;
  writeFileSync(CACHE, Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()]));
}
