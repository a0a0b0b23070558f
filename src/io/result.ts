import { describeIssue, describeValue } from '../schema/issues.js';
import { RESULT_SCHEMA_VERSION, type ResultDoc, resultSchema } from '../schema/result.js';
import { displayPath } from './catalog.js';
import { dottedPath, InputError } from './errors.js';
import { readStdinText, readTextFile } from './files.js';

const MAX_RESULT_BYTES = 64_000_000;

/**
 * Reads a saved `--format json` result and checks it against the result schema; `-` reads it
 * from stdin (`infercost compare chat --format json | infercost diff base.json -`).
 */
export function readResultFile(path: string, readStdin?: () => string): ResultDoc {
  const fromStdin = path === '-' && readStdin !== undefined;
  const file = fromStdin ? '<stdin>' : displayPath(path);
  const text = fromStdin
    ? readStdinText(readStdin, MAX_RESULT_BYTES)
    : readTextFile(path, file, MAX_RESULT_BYTES);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String(e));
    const offset = m ? Number(m[1]) : 0;
    const before = text.slice(0, offset).split('\n');
    throw new InputError(
      file,
      before.length,
      (before[before.length - 1]?.length ?? 0) + 1,
      '',
      'not valid JSON (expected a result saved with --format json)',
    );
  }
  const version = (data as { schema_version?: unknown } | null)?.schema_version;
  if (version !== RESULT_SCHEMA_VERSION) {
    throw new InputError(
      file,
      undefined,
      undefined,
      'schema_version',
      `expected ${RESULT_SCHEMA_VERSION} (a result saved with compare --format json), got ${describeValue(version)}`,
    );
  }
  const r = resultSchema().safeParse(data);
  if (!r.success) {
    const p = r.error.issues.flatMap((i) => describeIssue(i, data, resultSchema()))[0];
    throw new InputError(
      file,
      undefined,
      undefined,
      dottedPath(p?.path ?? []),
      p?.message ?? 'invalid result',
    );
  }
  return r.data;
}
