import type { WorkloadResult } from '../schema/result.js';
import { millis } from './format.js';

/** The line above each table: what was compared, under which limits, against what. */
export function workloadHeading(r: WorkloadResult): string {
  const w = r.workload;
  const slo = [
    w.ttft_limit_s === null ? null : `TTFT <= ${millis(w.ttft_limit_s)} ms`,
    w.tpot_limit_s === null ? null : `TPOT <= ${millis(w.tpot_limit_s)} ms`,
  ].filter((s) => s !== null);
  return (
    `${w.name}: ${w.model_name} (${w.weights_precision} weights), ${w.input_tokens} in / ${w.output_tokens} out` +
    (w.cached_input_fraction > 0 ? ` (${Math.round(w.cached_input_fraction * 100)}% cached)` : '') +
    `, ${slo.length > 0 ? slo.join(', ') : 'no latency limit'}, ${w.plan} prices, utilization ${w.utilization}, baseline ${r.baseline}`
  );
}
