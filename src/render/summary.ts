import type { MixResult, WorkloadResult } from '../schema/result.js';
import { compact, millis, sig } from './format.js';

/** The line above each table: what was compared, under which limits, against what. */
export function workloadHeading(r: WorkloadResult): string {
  const w = r.workload;
  const slo = [
    w.ttft_limit_s === null ? null : `TTFT <= ${millis(w.ttft_limit_s)} ms`,
    w.tpot_limit_s === null ? null : `TPOT <= ${millis(w.tpot_limit_s)} ms`,
  ].filter((s) => s !== null);
  return (
    `${w.name}: ${w.model_name} (${w.weights_precision} weights), ${w.input_tokens} in / ${w.output_tokens} out` +
    (w.cached_input_fraction > 0 ? ` (${cachedPercent(w.cached_input_fraction)}% cached)` : '') +
    (w.speculative
      ? `, speculative: ${w.speculative.draft_model_id} drafts ${w.speculative.tokens} (acceptance ${w.speculative.acceptance}, ${sig(w.speculative.tokens_per_iteration)} tokens/iteration)`
      : '') +
    `, ${slo.length > 0 ? slo.join(', ') : 'no latency limit'}, ${w.price_basis && w.price_basis !== 'tco' ? `${w.price_basis} ` : ''}${w.plan} prices, utilization ${w.utilization}, baseline ${r.baseline}` +
    (w.power_budget_w != null
      ? `; fleet: each chip filling ${sig(w.power_budget_w / 1e6)} MW`
      : w.demand_output_tokens_per_day != null
        ? `; fleet: each chip serving ${compact(w.demand_output_tokens_per_day)} output tokens/day`
        : '')
  );
}

/**
 * The Pareto curve (`--pareto`) as text: per accelerator, its operating points from most
 * interactive to highest throughput, `tok/s per user -> tok/s per chip (batch, chips)`.
 */
export function paretoLines(r: WorkloadResult): string[] {
  const withCurve = r.accelerators.filter((a) => a.pareto.length > 0);
  if (withCurve.length === 0) return [];
  return [
    'Pareto curve (tok/s per user -> tok/s per chip, at batch B on N chips):',
    ...withCurve.map(
      (a) =>
        `  ${a.id}: ${a.pareto
          .map(
            (p) =>
              `${sig(p.interactivity_tokens_per_s)} -> ${sig(p.output_tokens_per_s_per_chip)} (B${p.batch}, N${p.chips})`,
          )
          .join('; ')}`,
    ),
  ];
}

/** A mix's heading: its classes with their shares of the output tokens (docs/model.md 8b). */
export function mixHeading(m: MixResult): string {
  return `mix ${m.name}: ${m.classes.map((c) => `${c.workload} ${Number((c.share * 100).toPrecision(3))}%`).join(', ')} of the output tokens, blended per chip`;
}

/** The blend's cells per chip: id, $/1M out, out tok/$, tok/J, and what is missing. */
export function mixRows(m: MixResult): string[][] {
  return m.accelerators.map((a) => [
    a.id,
    sig(a.usd_per_mtok_output),
    sig(a.output_tokens_per_usd),
    sig(a.tokens_per_joule_output),
    a.missing.length > 0 ? `no tok/$ for ${a.missing.join(', ')} (no price, or cannot run)` : '',
  ]);
}

export const MIX_HEADERS = ['Accelerator', '$/1M out', 'Out tok/$', 'Tok/J', ''];

/** A cached share in whole percent, never rounded to 0 or 100 unless it is (0.999999 is not all). */
function cachedPercent(fraction: number): string {
  const pct = fraction * 100;
  if (pct > 99 && pct < 100) return '>99';
  if (pct > 0 && pct < 1) return '<1';
  return String(Math.round(pct));
}
