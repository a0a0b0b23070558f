import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeIssue } from '../schema/issues.js';
import {
  cellsToRow,
  MEASURED_COLUMNS,
  type MeasuredRow,
  measuredRowSchema,
  measuredRules,
  requiredMeasuredColumns,
} from '../schema/measured.js';
import { displayPath } from './catalog.js';
import { parseCsv } from './csv.js';
import { InputError } from './errors.js';
import { isDirectory, listDirectory, readStdinText, readTextFile } from './files.js';
import { MAX_FILE_BYTES } from './yaml.js';

export interface LocatedRow {
  readonly row: MeasuredRow;
  readonly file: string;
  readonly line: number;
}

/** A path's real location, or its resolved one where it cannot be read (the read then names why). */
function realPathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export function bundledMeasuredDir(): string {
  return fileURLToPath(new URL('../../data/measured/', import.meta.url));
}

/**
 * Reads measured-result CSV files (or every .csv in a directory; `-` reads stdin where `readStdin`
 * is given); errors name file:line:column.
 */
export function loadMeasured(paths: readonly string[], readStdin?: () => string): LocatedRow[] {
  const files = paths.flatMap((p) => {
    if (p === '-' && readStdin !== undefined) return [p];
    if (!isDirectory(p, p)) return [p];
    const csvs = listDirectory(p, p).filter((f) => f.endsWith('.csv'));
    // A folder with nothing to read is a wrong folder, not a backtest of no rows.
    if (csvs.length === 0)
      throw new InputError(p, undefined, undefined, '', 'no .csv file in this directory');
    return csvs.map((f) => join(p, f));
  });
  const rows: LocatedRow[] = [];
  const seen = new Map<string, string>();
  // A file named twice (or found again in a folder also given) is the same rows twice: said as
  // such, not as a duplicate id against itself.
  const given = new Set<string>();
  for (const path of files) {
    if (!(path === '-' && readStdin !== undefined)) {
      // The real path: a symlink to a file given too is the same file.
      const abs = realPathOr(path);
      if (given.has(abs))
        throw new InputError(
          displayPath(path),
          undefined,
          undefined,
          '',
          'is given twice: give each file once',
        );
      given.add(abs);
    }
    const fromStdin = path === '-' && readStdin !== undefined;
    const file = fromStdin ? '<stdin>' : displayPath(path);
    const text = fromStdin
      ? readStdinText(readStdin, MAX_FILE_BYTES)
      : readTextFile(path, file, MAX_FILE_BYTES);
    const records = parseCsv(text, file);
    const header = records[0]?.fields.map((h) => h.trim()) ?? [];
    if (records.length === 0) throw new InputError(file, 1, 1, '', 'file is empty');
    for (const [i, name] of header.entries()) {
      // A column named twice: the reader would keep one copy's cells and drop the other's.
      const first = header.indexOf(name);
      if (first < i)
        throw new InputError(
          file,
          1,
          records[0]?.columns[i] ?? 1,
          name,
          `duplicate column (also column ${first + 1})`,
        );
      if (!(MEASURED_COLUMNS() as string[]).includes(name)) {
        throw new InputError(
          file,
          1,
          records[0]?.columns[i] ?? 1,
          name,
          `unknown column (known: ${MEASURED_COLUMNS().join(', ')})`,
        );
      }
    }
    // A required column missing from the header is the file's one problem, not each row's: say so
    // once, at the header, with every such column.
    const missing = requiredMeasuredColumns().filter((c) => !header.includes(c));
    if (missing.length > 0)
      throw new InputError(
        file,
        1,
        1,
        '',
        `the header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (data/measured/README.md lists the columns)`,
      );
    for (const rec of records.slice(1)) {
      if (rec.fields.length > header.length)
        throw new InputError(
          file,
          rec.line,
          rec.columns[header.length] ?? 1,
          '',
          `${rec.fields.length} fields, but the header names ${header.length} columns (an unquoted comma?)`,
        );
      const raw = cellsToRow(header, rec.fields);
      const r = measuredRowSchema().safeParse(raw);
      const problem = r.success
        ? measuredRules(r.data)[0]
        : r.error.issues.flatMap((issue) => describeIssue(issue, raw, measuredRowSchema()))[0];
      if (problem) {
        const column = String(problem.path[0] ?? '');
        // A required column past the row's end: the row was cut short, not left empty.
        if (header.indexOf(column) >= rec.fields.length)
          throw new InputError(
            file,
            rec.line,
            1,
            '',
            `${rec.fields.length} fields, but the header names ${header.length} columns (a row cut short?): no ${column}`,
          );
        const col = rec.columns[header.indexOf(column)] ?? 1;
        throw new InputError(file, rec.line, col, column, problem.message);
      }
      if (!r.success) continue;
      const other = seen.get(r.data.id);
      if (other)
        throw new InputError(file, rec.line, 1, 'id', `duplicate row id "${r.data.id}" (also in ${other})`);
      seen.set(r.data.id, `${file}:${rec.line}`);
      rows.push({ row: r.data, file, line: rec.line });
    }
  }
  // A header and no rows is no measurement: a backtest or calibration of nothing, not a result.
  if (rows.length === 0)
    throw new InputError(
      files.map(displayPath).join(', '),
      undefined,
      undefined,
      '',
      'no measured rows under the header',
    );
  return rows;
}
