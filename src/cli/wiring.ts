import type { Command } from 'commander';
import type { Context } from './context.js';

/** What each command's registration needs from the program being built (src/cli/program.ts). */
export interface Wiring {
  readonly program: Command;
  /** The command's context: I/O, global flags, the catalog (loaded on first use). */
  ctx(): Context;
  /** Records the exit code a command returns. */
  setCode(code: number): void;
  /** A command's options with the project config's defaults under the flags given. */
  withConfig<T extends object>(
    opts: T,
    keys?: readonly ('basis' | 'plan' | 'baseline' | 'stack' | 'accelerators')[],
  ): T;
}

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
