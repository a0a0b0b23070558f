import type { ResultDoc } from '../schema/result.js';

export interface RenderOptions {
  /** Colour decided once by the CLI (TTY, NO_COLOR, FORCE_COLOR, --no-color, TERM=dumb). */
  readonly color: boolean;
  /** Show the efficiency-range column (table, Markdown); JSON always carries ranges. */
  readonly ranges: boolean;
}

export type Renderer = (doc: ResultDoc, options: RenderOptions) => string;
