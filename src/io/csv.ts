import { InputError } from './errors.js';

/** One CSV record with the 1-based line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
  /** 1-based character column where each field starts (on the line it starts on). */
  readonly columns: readonly number[];
}

/**
 * RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. A quote left open
 * at the end, or text after a closing quote, is an error at that place: read leniently, either
 * swallows the rows after it into one field and loses them without a word.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let columns: number[] = [1];
  let lineStart = 0;
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let quoteCol = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields, columns });
    fields = [];
    columns = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw new InputError(
            file,
            line,
            i - lineStart + 2,
            '',
            'text after a closing quote (a quote inside a quoted field is written twice: "")',
          );
      } else {
        if (ch === '\n') {
          line += 1;
          lineStart = i + 1;
        }
        field += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      quoteLine = line;
      quoteCol = i - lineStart + 1;
    } else if (ch === ',') {
      fields.push(field);
      columns.push(i - lineStart + 2);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      recordLine = line;
      lineStart = i + 1;
      columns = [1];
    } else field += ch;
    i += 1;
  }
  if (quoted) throw new InputError(file, quoteLine, quoteCol, '', 'quoted field never closed (a missing ")');
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
