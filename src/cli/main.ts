import { CommanderError } from 'commander';
import {
  dropHeldCommits,
  errnoReason,
  holdCommits,
  releaseCommits,
  removePendingFiles,
} from '../io/atomic.js';
import { InputError, IoError, UsageError } from '../io/errors.js';
import { stdinReader } from '../io/workload.js';
import { sanitizeLine, sanitizeStderr } from '../render/text.js';
import { EXIT } from './exit.js';
import type { CliIo } from './io.js';
import { buildProgram } from './program.js';

/** Runs the CLI and returns the exit code; only this function catches. */
export async function main(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Every message that reaches stderr quotes input at times: no raw control characters in it.
  const io: CliIo = { ...rawIo, stderr: (s) => rawIo.stderr(sanitizeStderr(s)) };
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  // `help <name>` of no command: commander prints the whole help as an error, naming nothing.
  const [first, asked] = argv;
  if (
    first === 'help' &&
    asked !== undefined &&
    !program.commands.some((c) => c.name() === asked || c.aliases().includes(asked))
  ) {
    io.stderr(`infercost: unknown command '${sanitizeLine(asked)}' (infercost --help lists them)\n`);
    return EXIT.badInput;
  }
  holdCommits();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A signal that came during the command's synchronous work runs now, before any output file
    // replaces the old one (it exits, dropping them); only then are they renamed into place.
    await new Promise<void>((resolve) => setImmediate(resolve));
    releaseCommits();
    return code;
  } catch (e) {
    dropHeldCommits();
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return EXIT.ok;
      return EXIT.badInput;
    }
    if (e instanceof InputError || e instanceof UsageError) {
      io.stderr(`infercost: ${sanitizeLine(e.message)}\n`);
      return EXIT.badInput;
    }
    if (e instanceof IoError) {
      io.stderr(`infercost: ${sanitizeLine(e.message)}\n`);
      return EXIT.ioError;
    }
    io.stderr(
      `infercost: internal error: ${sanitizeLine(e instanceof Error ? e.message : String(e))}\nThis is a bug; please report it with the command you ran.\n`,
    );
    return EXIT.internal;
  }
}

/** A terminal's width: a valid COLUMNS, else what the terminal reports, else 80. */
export function terminalColumns(
  env: Readonly<Record<string, string | undefined>>,
  reported?: number,
): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv >= 20) return fromEnv;
  return reported !== undefined && reported >= 20 ? reported : 80;
}

/** The process wiring: real streams, write errors as one line, no partial files on Ctrl-C. */
export function run(): void {
  let stdoutFailed = false;
  let stderrFailed = false;
  // Messages that cannot be written (stderr on a full disk, `2>&1 | head` closed early) are lost,
  // not fatal: the command still writes its data and ends with its own exit code (an uncaught
  // ENOSPC made every such run exit 1 and dropped calibrate's -o file).
  const writeStderr = (s: string) => {
    if (stderrFailed) return;
    try {
      process.stderr.write(s);
    } catch {
      stderrFailed = true;
    }
  };
  process.stderr.on('error', () => {
    stderrFailed = true;
  });
  // A closed reader (EPIPE, e.g. `| head`) is a normal end; any other write error (a full disk,
  // a device that refuses) is one line and exit 74, never a stack trace.
  const stdoutError = (e: NodeJS.ErrnoException) => {
    if (stdoutFailed) return;
    stdoutFailed = true;
    removePendingFiles();
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    writeStderr(`infercost: cannot write to stdout: ${errnoReason(e)}\n`);
    process.exit(EXIT.ioError);
  };
  process.stdout.on('error', stdoutError);
  // SIGHUP too: a closed terminal or a dropped SSH session must not leave a partial --output file.
  const signalExit = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  const signals = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
  const onSignal = (signal: (typeof signals)[number]) => () => {
    removePendingFiles();
    process.exit(signalExit[signal]);
  };
  const handlers = signals.map((signal) => [signal, onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  // A handler runs only when the event loop does, so during a synchronous computation of minutes
  // Ctrl-C would wait for its end. Nothing is written while one runs (output files are opened
  // after it), so there the signal's default action is safe: the process ends at once and
  // leaves every file as it was (the shell sees 130 for SIGINT, as from the handler).
  const killable = <T>(compute: () => T): T => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    try {
      return compute();
    } finally {
      for (const [signal, handler] of handlers) process.on(signal, handler);
    }
  };
  const write = (s: string | Uint8Array) => {
    if (stdoutFailed) return;
    try {
      process.stdout.write(s);
    } catch (e) {
      stdoutError(e as NodeJS.ErrnoException);
    }
  };
  const io: CliIo = {
    stdout: write,
    stdoutBytes: write,
    stderr: writeStderr,
    env: process.env,
    stdoutIsTty: process.stdout.isTTY === true,
    ...(process.stdout.isTTY === true
      ? { stdoutColumns: terminalColumns(process.env, process.stdout.columns) }
      : {}),
    stderrIsTty: process.stderr.isTTY === true,
    ...(process.stderr.isTTY === true
      ? { stderrColumns: terminalColumns(process.env, process.stderr.columns) }
      : {}),
    killable,
    // Stdin can be read once; a command that loads its workload more than once (report's
    // charts, claim's inputs) reads the same text each time.
    readStdin: stdinReader(),
    today: new Date().toISOString().slice(0, 10),
    drain: () =>
      process.stdout.writableNeedDrain
        ? new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()))
        : Promise.resolve(),
    now: () => performance.now(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      setImmediate(exitIfFlushed);
    },
    (e: unknown) => {
      writeStderr(`infercost: internal error: ${sanitizeLine(String(e))}\n`);
      process.exitCode = EXIT.internal;
      setImmediate(exitIfFlushed);
    },
  );
}

/**
 * Ends the process now if nothing is left to write. Left to end by itself, Node tears down the
 * whole heap first, ~30 ms of every run here (a quarter of a cold `compare`); process.exit skips
 * that. Output still queued for a pipe (a large result to a slow reader) would be cut off by it,
 * so then the process ends by itself, as before. It runs a turn after the command ends, so that
 * a failed write's error (reported on the next tick, e.g. stdout on a full disk) is handled
 * first. Every file infercost writes is written synchronously, so nothing else can be pending.
 */
function exitIfFlushed(): void {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}
