// The one place engine data (failures, warnings) becomes English.

import type { ServesNothing } from '../api/expect.js';
import type { Failure } from '../engine/deploy.js';
import type { Warning } from '../engine/evaluate.js';
import type { EfficiencyFactor, Precision } from '../engine/types.js';
import type { AcceleratorResult } from '../schema/result.js';
import { grouped, sig } from './format.js';

/**
 * Watts in a warning: whole and grouped from 100 W, three significant digits below, so a cap set
 * to 0.001 W reads 0.001 W (grouped() rounded it to "0 W", a cap of nothing).
 */
function watts(w: number): string {
  return Math.abs(w) >= 100 ? grouped(w) : String(Number(w.toPrecision(3)));
}

/** A fraction as a whole percent, or two significant digits below 1% (not "0%" for a cap of 0.001 W). */
function percent(f: number): string {
  const p = f * 100;
  return Math.abs(p) >= 1 || p === 0 ? p.toFixed(0) : String(Number(p.toPrecision(2)));
}

const FACTOR_NAMES: Readonly<Record<EfficiencyFactor, string>> = {
  etaMem: 'eta_mem',
  etaPrefill: 'eta_prefill',
  etaDecode: 'eta_decode',
  etaLink: 'eta_link',
  tStep0S: 't_step0_ms',
};

export function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(bytes >= 1e11 ? 0 : 1)} GB`;
}

export function ms(seconds: number): string {
  const v = seconds * 1000;
  // Below 0.01 ms three significant figures: a 0.001 ms limit is not "0.00 ms".
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.01 || v === 0 ? v.toFixed(2) : v.toPrecision(3)} ms`;
}

export function precisionName(p: Precision): string {
  const standard = { fp4: 4, int4: 4, fp6: 6, fp8: 8, int8: 8, bf16: 16, fp16: 16, fp32: 32 }[p.format];
  return p.bits === standard ? p.format : `${p.format}@${p.bits}b`;
}

export function failureText(f: Failure): string {
  switch (f.code) {
    case 'NO_MATRIX_UNIT':
      return `no matrix unit for ${f.requested} or any fallback precision`;
    case 'DOES_NOT_FIT':
      if (f.minChips === 0) return `does not fit: one sequence's KV cache outgrows any replica`;
      // Only a workload's deployment.replica_chips can leave no size: the default list starts at 1.
      if (f.largestReplicaChips === 0)
        return `does not fit: no size in deployment.replica_chips is within the chip's scale-up domain (needs at least ${f.minChips} chip${f.minChips === 1 ? '' : 's'} for ${gb(f.weightBytes)} of weights)`;
      return `does not fit: needs at least ${f.minChips} chip${f.minChips === 1 ? '' : 's'} for ${gb(f.weightBytes)} of weights plus one sequence's KV cache (${gb(f.usableBytesPerChip)} usable per chip); largest replica allowed is ${f.largestReplicaChips}`;
    case 'SLO_UNMET':
      return `cannot meet SLO: ${f.metric.toUpperCase()} ${ms(f.achievedS)} at batch ${f.batch} on ${f.chips} chip${f.chips === 1 ? '' : 's'} > ${ms(f.limitS)}`;
  }
}

/** Microseconds to three significant digits: 132, 58, 0.5. */
export function us(s: number): string {
  return String(Number((s * 1e6).toPrecision(3)));
}

export function warningText(w: Warning): string {
  switch (w.code) {
    case 'PRECISION_FALLBACK':
      return w.direction === 'narrower'
        ? `ran at ${w.used}: no ${w.requested} matrix unit${w.weightsQuantised ? `; weights quantised to ${w.used}` : ''}`
        : `ran at ${w.used}: no ${w.requested} matrix unit`;
    case 'NO_PRICE':
      return `no ${w.basis === undefined ? '' : `${w.basis} `}${w.plan} price${w.provider === undefined ? '' : ` from ${w.provider}`} in the profile: cost columns left empty`;
    case 'PRICE_ESTIMATE':
      return w.provider === 'command line'
        ? `${w.plan} price given with --set (this run's figure, not a published quote)`
        : `${w.plan} price is an estimate (see 'infercost profiles show')`;
    case 'POWER_ESTIMATE':
      return w.field === 'system'
        ? 'system power per chip is an estimate'
        : w.unmetAtTdpW === undefined || w.capW === undefined
          ? 'chip power (TDP) is an estimate'
          : `chip power (TDP) is an estimate; at its stated high, ${watts(w.unmetAtTdpW)} W, the ${watts(w.capW)} W cap slows the clock until no deployment meets the limits, which the range leaves out (docs/model.md 11)`;
    case 'POWER_CAP_BELOW_TDP':
      return w.clockFraction === undefined
        ? `power cap ${watts(w.capW)} W is below this chip's ${watts(w.tdpW)} W TDP: the power charged falls, the throughput does not (docs/model.md 6.1), so tokens per joule is an upper bound`
        : `power cap ${watts(w.capW)} W is below this chip's ${watts(w.tdpW)} W TDP: its matrix units run at ${percent(w.clockFraction)}% of their clock, the least slowdown the cap allows, and at ${percent(w.capW / w.tdpW)}% at the range's low end${w.unmetAtLow ? ', where no deployment meets the limits, which the range leaves out' : ''} (docs/model.md 6.2), so tokens per joule is an upper bound`;
    case 'BUDGET_FITS_NO_REPLICA':
      return `the power budget, ${watts(w.budgetW)} W, fits no replica: one draws ${watts(w.replicaW)} W at the facility (docs/model.md 8)`;
    case 'EFFICIENCY_ASSUMED':
      return `efficiency factors assumed, not calibrated: ${w.factors.map((f) => FACTOR_NAMES[f]).join(', ')}`;
    case 'BATCH_CAPPED':
      return `batch ${w.requested} does not fit in memory; ran at ${w.batch}`;
    case 'REPLICA_SIZES_DROPPED':
      return `replica sizes ${w.sizes.join(', ')} exceed the ${w.domainChips}-chip scale-up domain and were skipped`;
    case 'FORMAT_UNFITTED':
      return `efficiency factors fitted on ${w.fitted.join('/')} rows only; this runs ${w.used}`;
    case 'INPUTS_ESTIMATED':
      return 'efficiency factors fitted on MLPerf results alone, at the input length they imply (none was published; docs/model.md 12c)';
    case 'LATENCY_ESTIMATE':
      return `collective latency is an estimate: ${us(w.latencyS)} us, from ${us(w.rangeS[0])} to ${us(w.rangeS[1])} us${w.unmetAtHigh ? `; at ${us(w.rangeS[1])} us no deployment meets the limits, which the range leaves out` : ''} (docs/model.md 11)`;
    case 'MEETS_AT_LATENCY_LOW':
      return `meets the limits at the collective latency's low end, ${us(w.latencyS)} us: ${sig(w.outputTokensPerSPerChip)} output tokens/s per chip there (docs/model.md 11)`;
    case 'OVERHEAD_BOUND':
      return `step overhead t_step0 is ${ms(w.overheadS)} of the ${ms(w.stepS)} decode step: the answer leans on that one factor`;
  }
}

/**
 * The Replica cell: `N x B<batch>`, `N EP x B<batch>` for expert parallelism (docs/model.md 3d),
 * `<d>x<Nd>D+<p>x<Np>P x B<batch>` for a disaggregated unit (3e), `<pp>x<N> PP x B<batch>` for
 * pipeline stages (3f).
 */
export function replicaText(d: NonNullable<AcceleratorResult['deployment']>): string {
  const p = d.parallelism;
  const ep = p?.layout === 'ep' ? ' EP' : '';
  if (p && p.pp > 1) return `${p.pp}x${p.tp * p.ep} PP${ep} x B${d.batch}`;
  if (p?.prefill && p.decode)
    return `${p.decode.replicas}x${p.decode.chips}D${ep}+${p.prefill.replicas}x${p.prefill.chips}P x B${d.batch}`;
  return `${d.chips}${ep} x B${d.batch}`;
}

/** The end where a chip runs nothing (section 7a), in words: "300 us, the high end of its collective latency estimate". */
export function servesNothingAt(n: ServesNothing): string {
  return 'latencyS' in n
    ? `${us(n.latencyS)} us, the high end of its collective latency estimate`
    : 'clockFraction' in n
      ? `${percent(n.clockFraction)}% of its clock, the low end of the power cap's clock estimate`
      : `a ${watts(n.tdpW)} W TDP under the ${watts(n.capW)} W cap, the high end of its TDP estimate`;
}
