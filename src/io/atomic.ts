// Output files. A regular file is replaced atomically: the text goes to a temp file beside it,
// created exclusively under a random name with the destination's mode, synced, then renamed
// over it, so readers never see half a file and a planted link at the temp name is never
// followed. Anything that is not a regular file (a device such as /dev/null, a FIFO, a
// terminal, /dev/stdout) is written through, never replaced: renaming over a device node as
// root would break the machine. A symlink to a regular file replaces the file it points to and
// keeps the link.
//
// Not write-file-atomic: it opens its temp with 'w' under a name derived from the pid and a
// counter (predictable), renames over device nodes, and has no streaming form, which sweep needs.
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, IoError, UsageError } from './errors.js';
import { filesRead } from './read-log.js';

/** Errors the environment causes (a full disk), as opposed to a path the user can correct. */
const IO_CODES = new Set(['ENOSPC', 'EIO', 'EDQUOT', 'EFBIG', 'EROFS', 'EPIPE', 'ECONNRESET']);

export function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    case 'EIO':
      return 'input/output error';
    case 'EFBIG':
      return 'file too large';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EPIPE':
      return 'broken pipe';
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/** A write that failed: exit 2 when the path is at fault, 74 when the device is. */
export function cannotWrite(path: string, e: unknown): InputError | IoError {
  if (e instanceof InputError || e instanceof IoError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code ?? '';
  const message = `cannot write the output file: ${code === 'ENOENT' ? 'its directory does not exist' : errnoReason(e)}`;
  return IO_CODES.has(code)
    ? new IoError(`${path}: ${message}`)
    : new InputError(path, undefined, undefined, '', message);
}

interface Pending {
  readonly tmp: string;
  fd: number | undefined;
}

/** Temp files written but not yet renamed; removed if the process is interrupted. */
const pending = new Set<Pending>();
let interrupted = false;

/**
 * Renames held back while a command runs (main() holds them, then releases them a turn after the
 * command ends): a signal that arrives during a long synchronous computation is only delivered
 * when the event loop next runs, and by then a file renamed at once would already have replaced
 * the old one under an exit of 130 or 143.
 */
let held: OutputFile[] | undefined;

/** From now until releaseCommits or dropHeldCommits, finished files wait to be renamed into place. */
export function holdCommits(): void {
  held = [];
}

/** Renames every held file into place, in the order they were finished. */
export function releaseCommits(): void {
  const h = held ?? [];
  held = undefined;
  for (const file of h) file.commit();
}

/** The command failed after finishing a file: none of them is renamed into place. */
export function dropHeldCommits(): void {
  const h = held ?? [];
  held = undefined;
  for (const file of h) file.abort();
}

/** Called on SIGINT/SIGTERM/SIGHUP: drops every partial file; nothing is renamed into place after it. */
export function removePendingFiles(): void {
  interrupted = true;
  for (const p of pending) dropTemp(p);
  pending.clear();
}

function dropTemp(p: Pending): void {
  if (p.fd !== undefined) {
    try {
      closeSync(p.fd);
    } catch {
      // already closed
    }
    p.fd = undefined;
  }
  rmSync(p.tmp, { force: true });
}

const TEMP_PATTERN = /^\.(.+)\.infercost-(\d+)-[0-9a-f]{12}\.tmp$/;

/**
 * `bytes` random bytes as hex, for a temp file's name. Web Crypto's global (Node's CSPRNG), not
 * node:crypto: importing that costs every start ~5 ms, and only a write needs it.
 */
function randomHex(bytes: number): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return hex;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temps of this destination left by a run that was killed (its pid is gone). */
function removeStaleTemps(dir: string, base: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_PATTERN.exec(name);
    if (m && m[1] === base && Number(m[2]) !== process.pid && !isAlive(Number(m[2]))) {
      rmSync(join(dir, name), { force: true });
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Every byte, through short writes and a non-blocking pipe's EAGAIN (waits 1 ms and retries). */
function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}

/** Where and how to write: through to a non-regular file, or replace a regular file. */
type Target =
  | { readonly kind: 'fd'; readonly fd: number }
  | { readonly kind: 'through'; readonly path: string }
  | { readonly kind: 'replace'; readonly path: string; readonly existing?: Stats };

function statOrUndefined(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** `/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`: this process's own descriptor, used as it is. */
function ownDescriptor(abs: string): number | undefined {
  if (abs === '/dev/stdout') return 1;
  if (abs === '/dev/stderr') return 2;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(abs);
  return m ? Number(m[1]) : undefined;
}

function targetFor(path: string): Target {
  const abs = resolve(path);
  const fd = ownDescriptor(abs);
  // Reopening a descriptor through /proc fails for sockets (ENXIO) and would truncate a file
  // the shell opened for appending: write to the descriptor itself.
  if (fd !== undefined) return { kind: 'fd', fd };
  const st = statOrUndefined(abs, true);
  if (st === undefined) {
    if (statOrUndefined(abs, false)?.isSymbolicLink())
      throw new InputError(
        path,
        undefined,
        undefined,
        '',
        'cannot write the output file: it is a symbolic link to a missing file',
      );
    return { kind: 'replace', path: abs };
  }
  if (st.isDirectory())
    throw new InputError(path, undefined, undefined, '', 'cannot write the output file: it is a directory');
  // /dev/stdout and /proc/self/fd/N name a stream even when it is a regular file: write through.
  if (!st.isFile() || abs.startsWith('/dev/') || abs.startsWith('/proc/'))
    return { kind: 'through', path: abs };
  const real = realpathSync(abs);
  try {
    accessSync(real, constants.W_OK);
  } catch {
    throw new InputError(
      path,
      undefined,
      undefined,
      '',
      'cannot write the output file: permission denied (the file is read-only)',
    );
  }
  return { kind: 'replace', path: real, existing: st };
}

/** Refuses an output that is one of the inputs (same device and inode): it would be lost. */
export function assertNotAnInput(
  output: string,
  inputs: readonly string[],
  flag = '--output',
  /** A file the command rewrites on purpose (a profile calibrated or re-priced in place). */
  updates?: string,
): void {
  let out: Stats | undefined;
  try {
    out = statOrUndefined(resolve(output), true);
  } catch (e) {
    // ENOTDIR (a file where a folder should be), EACCES: the path's fault, one line.
    throw cannotWrite(output, e);
  }
  if (out === undefined || !out.isFile()) return;
  const own = updates === undefined ? undefined : resolve(updates);
  // Named inputs first (shown as given), then every file the run read (read-log.ts) but the one
  // this output is an update of.
  for (const input of [...inputs, ...filesRead().filter((f) => f !== own)]) {
    if (input === '-') continue;
    let st: Stats | undefined;
    try {
      st = statOrUndefined(resolve(input), true);
    } catch {
      continue;
    }
    if (st !== undefined && st.dev === out.dev && st.ino === out.ino)
      throw new UsageError(`${flag} ${output}: is also an input (${input}); refusing to overwrite it`);
  }
}

/** A file written in pieces that appears under its name only when complete. */
export class OutputFile {
  readonly #display: string;
  readonly #target: Target;
  readonly #pending: Pending | undefined;
  #fd: number;
  #committed: (() => void)[] = [];

  constructor(path: string) {
    this.#display = path;
    try {
      this.#target = targetFor(path);
      if (this.#target.kind === 'fd') {
        this.#fd = this.#target.fd;
        this.#pending = undefined;
      } else if (this.#target.kind === 'through') {
        this.#fd = openSync(this.#target.path, 'w');
        this.#pending = undefined;
      } else {
        const dir = dirname(this.#target.path);
        const base = basename(this.#target.path);
        removeStaleTemps(dir, base);
        const tmp = join(dir, `.${base}.infercost-${process.pid}-${randomHex(6)}.tmp`);
        const existing = this.#target.existing;
        // 'wx' is O_CREAT|O_EXCL: fails on anything already at the name, a planted link included.
        this.#fd = openSync(tmp, 'wx', 0o600);
        this.#pending = { tmp, fd: this.#fd };
        pending.add(this.#pending);
        const mode = existing ? existing.mode & 0o7777 : 0o666 & ~process.umask();
        fchmodSync(this.#fd, mode);
        if (existing && process.getuid?.() === 0) {
          try {
            fchownSync(this.#fd, existing.uid, existing.gid);
          } catch {
            // keep root's ownership where the file system refuses
          }
        }
      }
    } catch (e) {
      throw cannotWrite(path, e);
    }
  }

  write(data: string | Uint8Array): void {
    try {
      writeAll(this.#fd, data);
    } catch (e) {
      this.abort();
      throw cannotWrite(this.#display, e);
    }
  }

  /** Runs `f` once the file is in place: a "wrote FILE" said only when it is true. */
  onCommitted(f: () => void): void {
    this.#committed.push(f);
  }

  /** Syncs and renames the finished file into place (or closes the stream written through). */
  commit(): void {
    if (held !== undefined && this.#pending !== undefined && this.#target.kind === 'replace') {
      held.push(this);
      return;
    }
    this.#commitNow();
    for (const f of this.#committed) f();
  }

  #commitNow(): void {
    try {
      if (this.#pending === undefined || this.#target.kind !== 'replace') {
        if (this.#target.kind !== 'fd') closeSync(this.#fd);
        return;
      }
      if (interrupted) throw new IoError(`${this.#display}: interrupted; the output file was not written`);
      fsyncSync(this.#fd);
      closeSync(this.#fd);
      this.#pending.fd = undefined;
      renameSync(this.#pending.tmp, this.#target.path);
      pending.delete(this.#pending);
      syncDirectory(dirname(this.#target.path));
    } catch (e) {
      this.abort();
      throw cannotWrite(this.#display, e);
    }
  }

  /** Drops the partial file. */
  abort(): void {
    if (this.#pending === undefined) {
      if (this.#target.kind === 'fd') return;
      try {
        closeSync(this.#fd);
      } catch {
        // already closed
      }
      return;
    }
    dropTemp(this.#pending);
    pending.delete(this.#pending);
  }
}

/** The rename itself is durable only once the directory is synced; best effort (not every FS allows it). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The checks a write would make, made before a long computation (a cross-validation runs for
 * minutes): a missing folder, a folder in the way, a read-only file or an input as the output is
 * refused at once, not after the work. Writes nothing; the write itself checks again.
 */
export function assertCanWrite(path: string, inputs: readonly string[] = []): void {
  assertNotAnInput(path, inputs, '--output');
  const abs = resolve(path);
  if (ownDescriptor(abs) !== undefined) return;
  let dir: Stats | undefined;
  try {
    if (targetFor(path).kind === 'through') return;
    dir = statOrUndefined(dirname(abs), true);
  } catch (e) {
    throw cannotWrite(path, e);
  }
  if (dir === undefined) throw cannotWrite(path, Object.assign(new Error(), { code: 'ENOENT' }));
  if (!dir.isDirectory()) throw cannotWrite(path, Object.assign(new Error(), { code: 'ENOTDIR' }));
  // A folder at the path itself is found now, not when the report is written.
  let own: Stats | undefined;
  try {
    own = statOrUndefined(abs, true);
  } catch (e) {
    throw cannotWrite(path, e);
  }
  if (own?.isDirectory()) throw cannotWrite(path, Object.assign(new Error(), { code: 'EISDIR' }));
}

/** The same for a folder that files will be written into (`--output-dir`): it must exist. */
export function assertOutputDir(path: string): void {
  const refuse = (why: string) =>
    new InputError(path, undefined, undefined, '', `cannot write into the folder: ${why}`);
  let st: Stats | undefined;
  try {
    st = statOrUndefined(resolve(path), true);
  } catch (e) {
    throw refuse(errnoReason(e));
  }
  if (st === undefined) throw refuse('it does not exist');
  if (!st.isDirectory()) throw refuse('it is not a directory');
}

/**
 * Writes `text` to `path` as one OutputFile: whole or not at all. `committed` runs once it is in
 * place (after the command, when main() holds renames; never if a signal drops it).
 */
export function writeFileAtomic(
  path: string,
  text: string,
  inputs: readonly string[] = [],
  updates?: string,
  committed?: () => void,
): void {
  assertNotAnInput(path, inputs, '--output', updates);
  const f = new OutputFile(path);
  if (committed) f.onCommitted(committed);
  f.write(text);
  f.commit();
}

/**
 * Several files as one step (an import or a calibration into a folder): every target is checked
 * and opened before any is written, so a bad one (a folder in the way, two profiles with one file
 * name) leaves every file as it was. Each is then renamed into place in turn.
 */
export function writeFilesAtomic(
  files: readonly {
    readonly path: string;
    readonly text: string;
    readonly what: string;
    /** The file this one updates (its own profile): written over when it is the target. */
    readonly updates?: string;
  }[],
  inputs: readonly string[] = [],
): void {
  const seen = new Map<string, string>();
  for (const f of files) {
    const key = resolve(f.path);
    const other = seen.get(key);
    if (other !== undefined)
      throw new UsageError(
        `${f.path}: ${other} and ${f.what} would both be written to this file (their profiles share a file name); nothing written`,
      );
    seen.set(key, f.what);
    assertNotAnInput(f.path, inputs, '--output-dir', f.updates);
  }
  const opened: OutputFile[] = [];
  try {
    for (const f of files) {
      const out = new OutputFile(f.path);
      opened.push(out);
      out.write(f.text);
    }
  } catch (e) {
    for (const out of opened) out.abort();
    throw e;
  }
  for (const out of opened) out.commit();
}
