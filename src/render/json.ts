import { safeJson } from './text.js';
import type { Renderer } from './types.js';

export const renderJson: Renderer = (doc) => `${safeJson(JSON.stringify(doc, null, 2))}\n`;

/** One line per (workload, accelerator), each a self-contained record. */
export const renderNdjson: Renderer = (doc) =>
  doc.results
    .flatMap((r) =>
      r.accelerators.map((a) =>
        safeJson(
          JSON.stringify({
            schema_version: doc.schema_version,
            workload: r.workload.name,
            baseline: r.baseline,
            ...a,
          }),
        ),
      ),
    )
    .map((line) => `${line}\n`)
    .join('');
