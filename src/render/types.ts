import type { ResultDoc } from '../schema/result.js';

export interface RenderOptions {
  /** Colour decided once by the CLI (TTY, NO_COLOR, FORCE_COLOR, --no-color, TERM=dumb). */
  readonly color: boolean;
  /** Show the efficiency-range column (table, Markdown); JSON always carries ranges. */
  readonly ranges: boolean;
  /** Terminal width to fit (table only); undefined: the full table, as for pipes and files. */
  readonly width?: number | undefined;
  /** `--wide`: every column whatever the width. */
  readonly wide?: boolean;
  /** `--columns`: exactly these columns (keys of render/columns.ts). */
  readonly columns?: readonly string[] | undefined;
  /** `--pareto`: list each chip's Pareto points under the table. */
  readonly pareto?: boolean;
  /** `--chart`: tokens per dollar as bars and the Pareto curves as a plot under the table. */
  readonly chart?: boolean;
}

export type Renderer = (doc: ResultDoc, options: RenderOptions) => string;
