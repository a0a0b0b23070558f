/** An input problem, located: becomes one line on stderr and exit code 2. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly col: number | undefined,
    readonly fieldPath: string,
    readonly detail: string,
  ) {
    super(formatLocated(file, line, col, fieldPath, detail));
    this.name = 'InputError';
  }
}

/** `file:line:col field.path: message`, the format of every input error. */
export function formatLocated(
  file: string,
  line: number | undefined,
  col: number | undefined,
  fieldPath: string,
  detail: string,
): string {
  // An empty name (`--config ''`, `init ''`) is shown as typed, not as a message that starts blank.
  const shown = file === '' ? '""' : file;
  const where = line === undefined ? shown : `${shown}:${line}:${col ?? 1}`;
  return fieldPath === '' ? `${where} ${detail}` : `${where} ${fieldPath}: ${detail}`;
}

/** A usage error (bad flag value, unknown accelerator on the command line): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function dottedPath(path: readonly (string | number | symbol)[]): string {
  // A library caller's object may hold a Symbol key, which a template literal throws on.
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** The output could not be written (a full disk, a closed stream): exit code 74. */
export class IoError extends Error {
  override name = 'IoError';
}
