import { safeJson } from './text.js';
import type { Renderer } from './types.js';

export const renderJson: Renderer = (doc) => `${safeJson(JSON.stringify(doc, null, 2))}\n`;

/**
 * One line per (workload, accelerator), each a self-contained record; then one per (mix,
 * accelerator) for a traffic mix's blend (docs/model.md section 8b), told apart by its `mix` key
 * where the others have `workload`.
 */
export const renderNdjson: Renderer = (doc) =>
  [
    ...doc.results.flatMap((r) =>
      r.accelerators.map((a) =>
        JSON.stringify({
          schema_version: doc.schema_version,
          workload: r.workload.name,
          baseline: r.baseline,
          ...a,
        }),
      ),
    ),
    ...(doc.mixes ?? []).flatMap((m) =>
      m.accelerators.map((a) =>
        JSON.stringify({ schema_version: doc.schema_version, mix: m.name, classes: m.classes, ...a }),
      ),
    ),
  ]
    .map((line) => `${safeJson(line)}\n`)
    .join('');
