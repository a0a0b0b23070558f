import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/infercost', import.meta.url));

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** main() in-process with a pinned environment. */
export async function runCli(
  args: string[],
  opts: {
    stdin?: string;
    env?: Record<string, string>;
    /** stderr as a terminal, for status lines; with `now`, the clock they read. */
    stderrIsTty?: boolean;
    /** The terminal's width when stderr is one. */
    stderrColumns?: number;
    now?: () => number;
  } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: { NO_COLOR: '1', ...opts.env },
    stdoutIsTty: false,
    stderrIsTty: opts.stderrIsTty ?? false,
    ...(opts.stderrColumns === undefined ? {} : { stderrColumns: opts.stderrColumns }),
    readStdin: () => opts.stdin ?? '',
    today: '2026-11-23',
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { code, stdout, stderr };
}

/** The built binary as a user runs it (needs `npm run build` first; `npm test` does it). */
export function spawnCli(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    input: opts.stdin ?? '',
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', COLUMNS: '120', ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
