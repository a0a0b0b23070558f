import { renderCsv } from './csv.js';
import { renderJson, renderNdjson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderTable } from './table.js';
import type { Renderer } from './types.js';

/** The `--format` choices come from this table: a new format is one file and one entry. */
export const RENDERERS = {
  table: renderTable,
  json: renderJson,
  csv: renderCsv,
  ndjson: renderNdjson,
  markdown: renderMarkdown,
} as const satisfies Record<string, Renderer>;

export type FormatName = keyof typeof RENDERERS;
export const FORMAT_NAMES = Object.keys(RENDERERS) as FormatName[];
