// The expectation language of --expect and `expect:` lists: parsing and checking, pure.
import { UsageError } from '../io/errors.js';
import { servesNothingAt } from '../render/words.js';
import { workloadSettingDefault } from '../schema/convert.js';
import { didYouMean } from '../schema/issues.js';
import { throughputDependence } from '../schema/metrics.js';
import {
  type AcceleratorResult,
  LOWER_IS_BETTER,
  METRIC_ALIASES,
  METRIC_KEYS,
  type MetricKey,
  RANGED_METRICS,
  type RangedMetric,
  type WorkloadResult,
} from '../schema/result.js';

export type Comparator = '>=' | '<=' | '>' | '<';

export interface Expectation {
  readonly text: string;
  readonly subject: string;
  /** Present for a ratio claim `a/b metric op x`. */
  readonly versus?: string;
  readonly metric: MetricKey;
  readonly op: Comparator;
  readonly threshold: number;
  /** `+5%`/`-2%`: the threshold is a change in percent against the same quantity in a saved result. */
  readonly relative: boolean;
}

export interface ExpectationOutcome {
  readonly expectation: Expectation;
  readonly workload: string;
  /**
   * UNCERTAIN: the efficiency ranges of the accelerators involved straddle the threshold, or a
   * chip serving nothing at an estimate's end reads otherwise (`servesNothing`).
   * ERROR: the quantity cannot be measured (a chip with no price on the plan, a workload missing
   * from the saved result): the gate is misconfigured, which is exit 2, never a FAIL.
   */
  readonly status: 'PASS' | 'FAIL' | 'UNCERTAIN' | 'ERROR';
  /** The measured ratio or value; null when it could not be measured. */
  readonly measured: number | null;
  /** Low and high of the measured quantity over the efficiency ranges, when any applies. */
  readonly bounds?: readonly [number, number];
  readonly detail: string;
  /**
   * The chip that runs no deployment at an estimate's end (section 7a), where that made it
   * UNCERTAIN: its collective latency's high end, a power cap's clock low end, or its estimated
   * TDP's high under the cap.
   */
  readonly servesNothing?: ServesNothing;
}

/** Where a chip runs no deployment (section 7a): at this collective latency, this fraction of its clock, or this TDP under this cap. */
export type ServesNothing =
  | { readonly accelerator: string; readonly latencyS: number }
  | { readonly accelerator: string; readonly clockFraction: number }
  | { readonly accelerator: string; readonly tdpW: number; readonly capW: number };

const PATTERN =
  /^\s*([a-z0-9][a-z0-9._-]*)(?:\s*\/\s*([a-z0-9][a-z0-9._-]*))?\s+([a-z0-9_]+)\s*(>=|<=|>|<)\s*([^\s=]\S*)\s*$/;

/** A metric key or alias; own keys only, so `constructor` or `__proto__` name nothing. */
export function resolveMetric(name: string): MetricKey | undefined {
  if ((METRIC_KEYS as readonly string[]).includes(name)) return name as MetricKey;
  return Object.hasOwn(METRIC_ALIASES, name) ? METRIC_ALIASES[name] : undefined;
}

export function metricNames(): string[] {
  return [...METRIC_KEYS, ...Object.keys(METRIC_ALIASES)];
}

/**
 * Parses `"maia-200/h200-sxm tokens_per_dollar >= 1.30"` or `"h200-sxm usd_per_mtok_output <= 2.5"`.
 * `forms` names what the caller accepts in the error for text that does not parse: claim takes
 * only the ratio form, and naming the single-chip one there sent users to a second error.
 */
export function parseExpectation(
  text: string,
  knownIds: readonly string[],
  flag = '--expect',
  forms = '"A/B metric >= x" or "A metric <= x"',
): Expectation {
  const m = PATTERN.exec(text);
  if (!m) {
    throw new UsageError(
      `${flag} "${text}": expected ${forms}, e.g. "maia-200/h200-sxm tokens_per_dollar >= 1.30"`,
    );
  }
  const [, subject, versus, metricName, op, value] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
    Comparator,
    string,
  ];
  const metric = resolveMetric(metricName);
  if (!metric)
    throw new UsageError(
      `${flag} "${text}": unknown metric "${metricName}"${didYouMean(metricName, metricNames())}`,
    );
  for (const id of [subject, versus]) {
    if (id !== undefined && !knownIds.includes(id)) {
      throw new UsageError(`${flag} "${text}": unknown accelerator "${id}"${didYouMean(id, knownIds)}`);
    }
  }
  // A chip against itself is 1 by definition; its two ranges are one, not independent.
  if (versus !== undefined && versus === subject)
    throw new UsageError(`${flag} "${text}": compares ${subject} with itself (the ratio is 1 by definition)`);
  if (/%$/.test(value) && !/^[+-]/.test(value))
    throw new UsageError(
      `${flag} "${text}": "${value}" has no sign: a change in percent is written +${value} or -${value} and needs --against a saved result`,
    );
  const relative = /^[+-].*%$/.test(value);
  const threshold = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(threshold))
    throw new UsageError(`${flag} "${text}": threshold "${value}" is not a number`);
  const base = { text: text.trim(), subject, metric, op, threshold, relative };
  return versus === undefined ? base : { ...base, versus };
}

/**
 * Floating-point noise in a ratio or percent (5% up prints as 5.000000000000004%): values this
 * close to the threshold are at it, so an inclusive comparison holds.
 */
export function nearlyEqual(v: number, t: number): boolean {
  return Math.abs(v - t) <= 1e-9 * Math.max(1, Math.abs(t));
}

function holds(v: number, op: Comparator, t: number): boolean {
  switch (op) {
    case '>=':
      return v >= t || nearlyEqual(v, t);
    case '<=':
      return v <= t || nearlyEqual(v, t);
    case '>':
      return v > t;
    case '<':
      return v < t;
  }
}

function measuredValue(
  r: WorkloadResult,
  id: string,
  metric: MetricKey,
): { value: number | null; why: string } {
  const a = r.accelerators.find((x) => x.id === id);
  if (!a) return { value: null, why: `${id} was not compared` };
  const v = a.metrics[metric];
  if (v === null) return { value: null, why: `${id} has no ${metric}${a.reason ? ` (${a.reason})` : ''}` };
  return { value: v, why: '' };
}

/** [low, high] of a metric for one accelerator: its efficiency range, or the point value. */
function boundsOf(r: WorkloadResult, id: string, metric: MetricKey, value: number): [number, number] {
  const a = r.accelerators.find((x) => x.id === id) as AcceleratorResult;
  const band = (RANGED_METRICS as readonly string[]).includes(metric)
    ? a.ranges?.[metric as RangedMetric]
    : undefined;
  if (!band || band.low === null || band.high === null) return [value, value];
  return [band.low, band.high];
}

function fmt(n: number): string {
  return Math.abs(n) >= 1000 ? n.toFixed(0) : Number(n.toPrecision(4)).toString();
}

/** The quantity an expectation measures (a value or a ratio) in one result, or why it cannot. */
function quantity(e: Expectation, r: WorkloadResult): { value: number | null; why: string } {
  const a = measuredValue(r, e.subject, e.metric);
  if (a.value === null) return a;
  if (e.versus === undefined) return a;
  const b = measuredValue(r, e.versus, e.metric);
  if (b.value === null || b.value === 0)
    return { value: null, why: b.why || `${e.versus} has ${e.metric} 0` };
  return { value: a.value / b.value, why: '' };
}

/** The serving stack a result assumed for a chip, or `none` (the profile's block, or absent). */
export function stackName(
  a: { readonly stack?: { readonly name: string } | null | undefined } | undefined,
): string {
  return a?.stack?.name ?? 'none';
}

/** What a workload's costs are priced on: `tco`, or the basis and plan (`hyperscaler on_demand`). */
export function pricingLabel(w: WorkloadResult): string {
  return w.workload.plan === 'tco' ? 'tco' : `${w.workload.price_basis ?? 'hyperscaler'} ${w.workload.plan}`;
}

/**
 * The workload's definition (pricing aside) as `field=value` pairs: what a saved result and a run
 * must share for their metrics to be the same question, its settings with no field of their own
 * (`settings`: a power cap, a switch) included. `--set` overrides of a profile are left out: what
 * they change is what diff and a relative check measure.
 */
function definition(w: WorkloadResult): Record<string, string> {
  const d = w.workload;
  const text = (v: unknown) => (v === null || v === undefined ? 'none' : String(v));
  return {
    model: d.model_id,
    input_tokens: text(d.input_tokens),
    output_tokens: text(d.output_tokens),
    cached_input_fraction: text(d.cached_input_fraction),
    ttft_limit_s: text(d.ttft_limit_s),
    tpot_limit_s: text(d.tpot_limit_s),
    precision: `${d.weights_precision}/${d.activations_precision}/${d.kv_cache_precision}`,
    speculative: d.speculative
      ? `${d.speculative.draft_model_id} k=${d.speculative.tokens} acceptance=${d.speculative.acceptance}`
      : 'none',
    utilization: text(d.utilization),
    provider: text(d.provider),
    pue: text(d.pue),
    usd_per_kwh: text(d.usd_per_kwh),
    demand_output_tokens_per_day: text(d.demand_output_tokens_per_day),
    power_budget_w: text(d.power_budget_w),
    // the settings with no field of their own, each by its path (a power cap, a switch)
    ...Object.fromEntries(
      (d.settings ?? []).map((t) => {
        const eq = t.indexOf('=');
        return [t.slice(0, eq), t.slice(eq + 1)];
      }),
    ),
  };
}

/**
 * The fields of the workload's definition that differ between two results, in definition order
 * (a setting one result has and the other not is its default there, or `none`).
 */
export function definitionChanges(
  before: WorkloadResult,
  after: WorkloadResult,
): { readonly field: string; readonly old: string; readonly new: string }[] {
  const [a, b] = [definition(before), definition(after)];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => {
    const [x, y] = [a[k] ?? workloadSettingDefault(k), b[k] ?? workloadSettingDefault(k)];
    return x === y ? [] : [{ field: k, old: x, new: y }];
  });
}

/** A relative expectation (`<= +5%`): the change against the saved result, in percent. */
function checkRelative(
  e: Expectation,
  r: WorkloadResult,
  saved: WorkloadResult | undefined,
): ExpectationOutcome {
  const base = { expectation: e, workload: r.workload.name };
  if (!saved) {
    return {
      ...base,
      status: 'ERROR',
      measured: null,
      detail: `not measurable: the saved result has no workload "${r.workload.name}"`,
    };
  }
  const now = quantity(e, r);
  const then = quantity(e, saved);
  // A saved value of 0, or so near it that the quotient overflows (5e-324), has no change in percent.
  if (now.value === null || then.value === null || !Number.isFinite(now.value / then.value)) {
    return {
      ...base,
      status: 'ERROR',
      measured: null,
      detail: `not measurable: ${now.value === null ? now.why : then.value === null ? `in the saved result, ${then.why}` : `saved value is ${then.value === 0 ? '0' : 'too near 0'}`}`,
    };
  }
  const changePct = (now.value / then.value - 1) * 100;
  const ok = holds(changePct, e.op, e.threshold);
  const what = e.versus === undefined ? e.metric : `${e.metric} ratio`;
  // Priced differently from the saved result, a cost metric moves with the price, not the answer:
  // the outcome stands, and says so.
  const repriced =
    pricingLabel(saved) === pricingLabel(r)
      ? ''
      : ` (priced on ${pricingLabel(r)}, the saved result on ${pricingLabel(saved)})`;
  // Likewise a workload defined otherwise (another model, length or limit), or a chip on another
  // stack: the change is between two questions, which the outcome says rather than hides.
  const stacks = [e.subject, e.versus].flatMap((id) => {
    const [x, y] = [saved, r].map((w) => stackName(w.accelerators.find((a) => a.id === id)));
    return id === undefined || x === y ? [] : [`${id} stack ${x} -> ${y}`];
  });
  const redefined = [...definitionChanges(saved, r).map((c) => `${c.field} ${c.old} -> ${c.new}`), ...stacks];
  const asked =
    redefined.length === 0 ? '' : ` (run differently from the saved result: ${redefined.join('; ')})`;
  return {
    ...base,
    status: ok ? 'PASS' : 'FAIL',
    measured: changePct,
    detail: `${what} ${fmt(then.value)} -> ${fmt(now.value)}, ${changePct >= 0 ? '+' : ''}${changePct.toFixed(2)}% ${ok ? '' : 'not '}${e.op} ${e.threshold >= 0 ? '+' : ''}${e.threshold}%${repriced}${asked}`,
  };
}

function holdsExactly(v: number, op: Comparator, t: number): boolean {
  return op === '>=' ? v >= t : op === '<=' ? v <= t : op === '>' ? v > t : v < t;
}

/**
 * Section 7a: every end of an estimate where a chip runs no deployment: its stated collective
 * latency's high end (LATENCY_ESTIMATE with `unmetAtHigh`), a power cap's clock low end
 * (POWER_CAP_BELOW_TDP with `unmetAtLow`: exponent 1, the clock `cap / tdp`) and, under the cap,
 * its estimated TDP's high (POWER_ESTIMATE with `unmetAtTdpW`).
 */
function servesNothingIn(r: WorkloadResult, id: string | undefined): ServesNothing[] {
  const a = r.accelerators.find((x) => x.id === id);
  if (a === undefined || id === undefined) return [];
  const ends: ServesNothing[] = [];
  const w = a.warnings.find((x) => x.code === 'LATENCY_ESTIMATE' && x.unmetAtHigh === true);
  const latencyS = (w?.rangeS as readonly [number, number] | undefined)?.[1];
  if (latencyS !== undefined) ends.push({ accelerator: id, latencyS });
  const cap = a.warnings.find((x) => x.code === 'POWER_CAP_BELOW_TDP' && x.unmetAtLow === true);
  if (cap && typeof cap.capW === 'number' && typeof cap.tdpW === 'number')
    ends.push({ accelerator: id, clockFraction: cap.capW / cap.tdpW });
  const hot = a.warnings.find((x) => x.code === 'POWER_ESTIMATE' && typeof x.unmetAtTdpW === 'number');
  if (hot && typeof hot.capW === 'number')
    ends.push({ accelerator: id, tdpW: hot.unmetAtTdpW as number, capW: hot.capW });
  return ends;
}

/**
 * Section 7a: the ends where exactly one of the two chips serves nothing, each with the quantity
 * read there. A chip's own collective latency or TDP moves with the other chip at its values, so
 * each counts whatever the other's flags; the cap's clock exponent is one setting for both, so its
 * end counts only where the other chip still serves there.
 */
function servingNothingReadings(
  e: Expectation,
  r: WorkloadResult,
): { readonly at: ServesNothing; readonly q: number | undefined }[] {
  const [subject, versus] = [servesNothingIn(r, e.subject), servesNothingIn(r, e.versus)];
  const clock = (ends: ServesNothing[]) => ends.some((n) => 'clockFraction' in n);
  const read = (ends: ServesNothing[], other: ServesNothing[], isSubject: boolean) =>
    ends
      .filter((n) => !('clockFraction' in n) || !clock(other))
      .map((at) => ({ at, q: servingNothingQuantity(e.metric, isSubject) }));
  return [...read(subject, versus, true), ...read(versus, subject, false)];
}

/**
 * The quantity where one chip serves nothing (section 7a): 0 when the metric follows throughput
 * and that chip is the subject, unbounded when it follows its inverse; the reverse for the chip
 * it is divided by. Undefined for a metric throughput does not move (TTFT, TPOT).
 */
export function servingNothingQuantity(metric: MetricKey, subjectRunsNothing: boolean): number | undefined {
  const t = throughputDependence(metric);
  if (t === undefined) return undefined;
  return (t === 'direct') === subjectRunsNothing ? 0 : Number.POSITIVE_INFINITY;
}

/** Checks one expectation against one workload's results (and a saved result for relative ones). */
export function checkExpectation(
  e: Expectation,
  r: WorkloadResult,
  saved?: WorkloadResult,
): ExpectationOutcome {
  if (e.relative) return checkRelative(e, r, saved);
  const a = measuredValue(r, e.subject, e.metric);
  const b = e.versus === undefined ? undefined : measuredValue(r, e.versus, e.metric);
  const base = { expectation: e, workload: r.workload.name };
  if (a.value === null || (b !== undefined && (b.value === null || b.value === 0))) {
    return {
      ...base,
      status: 'ERROR',
      measured: null,
      detail: `not measurable: ${a.value === null ? a.why : b?.why}`,
    };
  }
  const measured = b === undefined ? a.value : a.value / (b.value as number);
  const [aLo, aHi] = boundsOf(r, e.subject, e.metric, a.value);
  const [bLo, bHi] = e.versus === undefined ? [1, 1] : boundsOf(r, e.versus, e.metric, b?.value as number);
  const bounds: [number, number] = [aLo / bHi, aHi / bLo];
  const ranged = bounds[0] !== bounds[1];
  const ok = holds(measured, e.op, e.threshold);
  if (ranged && holds(bounds[0], e.op, e.threshold) !== holds(bounds[1], e.op, e.threshold)) {
    const what = b === undefined ? e.metric : `${e.metric} ratio`;
    return {
      ...base,
      status: 'UNCERTAIN',
      measured,
      bounds,
      detail: `${what} ${fmt(measured)} (range ${fmt(bounds[0])}..${fmt(bounds[1])} over the stated ranges) straddles ${e.op} ${fmt(e.threshold)}`,
    };
  }
  // Section 7a: one chip serving nothing at an estimate's end reads as 0 or unbounded there; a
  // verdict that reading contradicts is not settled.
  // 0 and unbounded are exact: compared strictly, not within holds' rounding tolerance.
  const nothing = servingNothingReadings(e, r).find(
    (n) => n.q !== undefined && holdsExactly(n.q, e.op, e.threshold) !== ok,
  );
  if (nothing !== undefined) {
    const what = b === undefined ? e.metric : `${e.metric} ratio`;
    return {
      ...base,
      status: 'UNCERTAIN',
      measured,
      ...(ranged ? { bounds } : {}),
      detail: `${what} ${fmt(measured)} ${ok ? '' : 'not '}${e.op} ${fmt(e.threshold)}${ranged ? ` (range ${fmt(bounds[0])}..${fmt(bounds[1])})` : ''}, but ${nothing.at.accelerator} runs no deployment at ${servesNothingAt(nothing.at)} (docs/model.md 7a)`,
      servesNothing: nothing.at,
    };
  }
  const what = b === undefined ? e.metric : `${e.metric} ratio`;
  const lower = LOWER_IS_BETTER.has(e.metric) && b !== undefined ? ' (lower is better for this metric)' : '';
  // A percent past 1,000% reads as noise ("50938890.5% vs threshold"): say how many times instead.
  const times = measured / e.threshold;
  // A threshold so small that the quotient overflows (1e-320) has no multiple to state.
  const margin =
    e.threshold === 0 || !Number.isFinite(times)
      ? ''
      : Math.abs(times - 1) <= 10
        ? ` (${((times - 1) * 100).toFixed(1)}% vs threshold)`
        : ` (${fmt(times)}x the threshold)`;
  return {
    ...base,
    status: ok ? 'PASS' : 'FAIL',
    measured,
    ...(ranged ? { bounds } : {}),
    detail: `${what} ${fmt(measured)} ${ok ? '' : 'not '}${e.op} ${fmt(e.threshold)}${margin}${lower}`,
  };
}

export function outcomeLine(o: ExpectationOutcome): string {
  return `${o.status} ${o.workload}: ${o.expectation.text}: ${o.detail}`;
}
