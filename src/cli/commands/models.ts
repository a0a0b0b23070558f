import { kvBytesPerToken, kvWindowBytes, linearStateBytes, weightBytes } from '../../engine/bytes.js';
import { UsageError } from '../../io/errors.js';
import { fittedTable, hiddenLine } from '../../render/table.js';
import { escapeControl, safeJson } from '../../render/text.js';
import type { PrecisionSpec } from '../../schema/common.js';
import { toModel } from '../../schema/convert.js';
import type { ModelFile } from '../../schema/model.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

function precisionText(p: PrecisionSpec): string {
  return typeof p === 'string' ? p : `${p.format}@${p.bits}b`;
}

/**
 * What the engine derives from a model at its released precision (docs/model.md section 2): KV
 * bytes per token of context (full-attention layers), what a sequence's sliding-window layers hold
 * at most, the fixed state its linear-attention layers hold, total weight bytes, and the weights
 * every decode step reads whatever the routing.
 */
function derived(m: ModelFile) {
  const model = toModel(m, m.id);
  const w = weightBytes(model, model.precision.weights, model.precision.experts);
  return {
    kv_bytes_per_token: kvBytesPerToken(model, model.precision.kvCache),
    kv_window_bytes_per_sequence: kvWindowBytes(model, model.precision.kvCache, Number.POSITIVE_INFINITY),
    linear_state_bytes_per_sequence: linearStateBytes(model),
    weight_bytes: w.total,
    expert_weight_bytes: w.routed,
    decode_read_dense_weight_bytes: w.dense,
  };
}

export function modelsCommand(ctx: Context, opts: { format?: string }): number {
  const entries = [...ctx.catalog().models.values()].sort((a, b) => a.value.id.localeCompare(b.value.id));
  if (opts.format === 'json') {
    ctx.io.stdout(
      `${safeJson(
        JSON.stringify(
          entries.map((e) => ({
            ...e.value,
            derived: derived(e.value),
            file: e.file,
            origin: e.origin,
            // As profiles --format json: the bundled file a user's model replaces, else null.
            overrides: e.overrides ?? null,
          })),
          null,
          2,
        ),
      )}\n`,
    );
    return EXIT.ok;
  }
  if (opts.format !== undefined && opts.format !== 'table')
    throw new UsageError(`--format ${opts.format}: expected table or json`);
  const head = ['id', 'name', 'params B (active)', 'layers', 'attention', 'MoE', 'weights', 'file'];
  const rows = entries.map((e) => {
    const m = e.value;
    return [
      m.id,
      m.name,
      m.params.active_b === m.params.total_b
        ? String(m.params.total_b)
        : `${m.params.total_b} (${m.params.active_b})`,
      String(m.layers),
      `${m.mla ? `MLA (rank ${m.mla.kv_lora_rank})` : `GQA ${m.kv_heads}/${m.heads} heads`}${
        m.linear_attention ? `, ${m.linear_attention.layers} linear` : ''
      }`,
      m.moe ? `${m.moe.experts_per_token} of ${m.moe.experts}` : '-',
      precisionText(m.precision.weights),
      `${e.file}${e.origin === 'user' ? (e.overrides ? ' (user, replaces bundled)' : ' (user)') : ''}`,
    ].map(escapeControl);
  });
  // On a terminal, the least needed columns go first until the table fits: file, name, layers,
  // attention, weights.
  const width = ctx.io.stdoutColumns;
  const t = fittedTable(head, Array(head.length).fill('left'), rows, [7, 1, 3, 4, 6], width);
  ctx.io.stdout(`${[t.text, ...hiddenLine(t.hidden, width, '--format json has')].join('\n')}\n`);
  return EXIT.ok;
}
