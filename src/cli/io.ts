/** Everything a command may touch of the outside world, so tests can run main() in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  /** Encoded output for streaming commands; when absent they decode it and call stdout. */
  readonly stdoutBytes?: (bytes: Uint8Array) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdoutIsTty: boolean;
  /** The terminal's width when stdout is one (COLUMNS overrides it); undefined for pipes and files. */
  readonly stdoutColumns?: number;
  readonly stderrIsTty: boolean;
  /** The terminal's width when stderr is one (COLUMNS overrides it): a status line stays within it. */
  readonly stderrColumns?: number;
  /** Stdin's text; given a limit, a reader may stop once more than that many bytes have come. */
  readonly readStdin: (maxBytes?: number) => string;
  /** YYYY-MM-DD, for quotes created by --set. */
  readonly today: string;
  /** Resolves when stdout can take more (streaming commands wait on it to keep memory flat). */
  readonly drain?: () => Promise<void>;
  /** Milliseconds since some fixed point, for progress and rates; absent in tests. */
  readonly now?: () => number;
  /**
   * Runs a long synchronous computation that writes nothing (a cross-validation) with the
   * signals' default action: Ctrl-C ends the process at once instead of after the minutes a
   * handler would wait for the event loop. Absent in tests (the computation just runs).
   */
  readonly killable?: <T>(compute: () => T) => T;
}

/**
 * Colour only on a TTY, never with NO_COLOR, TERM=dumb or --no-color; FORCE_COLOR=1 (or any
 * value but 0 and false) forces it on, FORCE_COLOR=0 forces it off.
 */
export function useColor(io: CliIo, flag: boolean, isTty: boolean): boolean {
  if (!flag) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  const force = io.env.FORCE_COLOR;
  if (force === '0' || force === 'false') return false;
  if (force !== undefined) return true;
  if (io.env.TERM === 'dumb') return false;
  return isTty;
}
