import type { Prediction } from '../engine/calibrate.js';
import { ATTENTION_EFFICIENCY_RATIO, EXPERT_EFFICIENCY_RATIO, stepBound } from '../engine/replica.js';
import type { EngineConstants, Mechanisms } from '../engine/types.js';
import {
  type BacktestRow,
  caseFor,
  type ErrorSummary,
  heldToPercentiles,
  type LimitRatios,
  limitRatios,
  type MeasuredCase,
  profileEfficiency,
  summaries,
  summarize,
  withLimitRatios,
} from '../fidelity/backtest.js';
import {
  actedOnRowIds,
  type ChosenConstant,
  type CvComparison,
  type CvResult,
  chooseConstant,
  compareCv,
  crossValidate,
  energyErrorRows,
  type LevelBands,
  measuredSystemWPerChip,
} from '../fidelity/cv.js';
import { backtestAtEstimate, estimateInputs } from '../fidelity/latent.js';
import type { Catalog } from '../io/catalog.js';
import { UsageError } from '../io/errors.js';
import { bundledMeasuredDir, type LocatedRow, loadMeasured } from '../io/measured.js';
import { stackTraitsOf, toAccelerator, toMechanisms, toModel } from '../schema/convert.js';
import { didYouMean } from '../schema/issues.js';
import { WORKLOAD_DEFAULTS } from '../schema/workload.js';

export interface Resolved {
  readonly cases: MeasuredCase[];
  readonly unrepresentable: BacktestRow[];
}

/** Rows to engine cases; rows naming an unknown chip or model, or too many chips, are kept with the reason. */
export function resolveRows(
  catalog: Catalog,
  rows: readonly LocatedRow[],
  mechanisms: Mechanisms = toMechanisms(),
  constants?: Partial<EngineConstants>,
): Resolved {
  const cases: MeasuredCase[] = [];
  const unrepresentable: BacktestRow[] = [];
  for (const { row } of rows) {
    const m = catalog.models.get(row.model);
    const profile = catalog.accelerators.get(row.accelerator);
    if (!profile) {
      // Kept, not refused: a file may hold rows for chips infercost has no profile for.
      unrepresentable.push({
        row,
        reason: `no accelerator profile "${row.accelerator}"${didYouMean(row.accelerator, [...catalog.accelerators.keys()])}`,
      });
    } else if (!m) {
      unrepresentable.push({
        row,
        reason: `no model "${row.model}"${didYouMean(row.model, [...catalog.models.keys()])}`,
      });
    } else {
      // The row's stack where the profile has factors for it, else the profile's default stack.
      const ownStack = row.stack !== undefined && Object.hasOwn(profile.value.stacks ?? {}, row.stack);
      const stack = row.stack ?? profile.value.default_stack ?? 'generic';
      // 3b.7, 3a.14, 3a.15: the row's stack admitted its sequences and ran its kernels, whichever
      // stack's factors predict it.
      const acc = {
        ...toAccelerator(profile.value, ownStack ? row.stack : undefined),
        ...stackTraitsOf(stack),
      };
      if (row.chips_per_replica > acc.domainChips) {
        unrepresentable.push({
          row,
          reason: `${row.chips_per_replica} chips per replica exceed the ${acc.domainChips}-chip scale-up domain`,
        });
      } else
        cases.push(
          caseFor(
            { ...row, stack, ...(row.stack === undefined ? { stack_assumed: true } : {}) },
            acc,
            toModel(m.value, row.model),
            mechanisms,
            constants,
          ),
        );
    }
  }
  return { cases, unrepresentable };
}

const MECHANISM_NAMES = Object.keys(
  WORKLOAD_DEFAULTS.mechanisms,
) as (keyof typeof WORKLOAD_DEFAULTS.mechanisms)[];

/** One `name=on|off,...` list (or `all`, `none`) as snake-case choices; `flag` names it in errors. */
function mechanismChoices(text: string | undefined, flag: string): Record<string, boolean> {
  if (text === undefined) return {};
  if (text === 'all' || text === 'none')
    return Object.fromEntries(MECHANISM_NAMES.map((n) => [n, text === 'all']));
  const chosen: Record<string, boolean> = {};
  for (const item of text.split(',').map((s) => s.trim())) {
    const m = /^([a-z0-9_]+)=(on|off)$/.exec(item);
    const name = m?.[1] ?? '';
    if (!m || !(MECHANISM_NAMES as string[]).includes(name))
      throw new UsageError(
        `${flag} ${item}: expected name=on|off with a name of ${MECHANISM_NAMES.join(', ')} (or all, none)`,
      );
    chosen[name] = m[2] === 'on';
  }
  return chosen;
}

/**
 * `--mechanisms per_operator_roofline=on,prefill_memory=off` (or `all`, `none`): the engine
 * corrections of docs/model.md section 3a to run with, over the defaults. `against` (backtest's
 * `--against`) is applied over those: the changed side of a before/after comparison.
 */
export function parseMechanisms(text: string | undefined, against?: string): Mechanisms {
  return toMechanisms({
    ...mechanismChoices(text, '--mechanisms'),
    ...mechanismChoices(against, '--against'),
  });
}

/**
 * Plain `backtest`: every case predicted with its profile's factors, a row with an assumed input
 * at its dataset's mean input as estimated from all rows (docs/model.md 12b, in sample).
 */
export function backtestRows(
  cases0: readonly MeasuredCase[],
  fallback: () => LimitRatios = () => ({}),
): BacktestRow[] {
  // 3b.6: the rows' own mean/p99 ratios; the fallback is read only when a row needs one they lack.
  const own = limitRatios(cases0.map((c) => c.row));
  const lacking = own.ttft === undefined || own.tpot === undefined;
  const ratios = lacking && cases0.some(heldToPercentiles) ? { ...fallback(), ...own } : own;
  const cases = cases0.map((c) => withLimitRatios(c, ratios));
  const estimates = estimateInputs(cases, profileEfficiency);
  return cases.map((c) => backtestAtEstimate(c, estimates, profileEfficiency(c)).r);
}

/** 3b.6: the bundled rows' mean/p99 latency ratios, for a file of rows that gives none of its own. */
export function bundledLimitRatios(): LimitRatios {
  return limitRatios(loadMeasured([bundledMeasuredDir()]).map((r) => r.row));
}

export function energySummaries(rows: readonly BacktestRow[]) {
  const { tokensPerJoule, systemPower } = energyErrorRows(rows, (r, errorPct) => ({ ...r, errorPct }));
  return [
    summarize('tokens per joule (MLPerf Power rows)', tokensPerJoule),
    summarize('system power per chip (MLPerf Power rows)', systemPower),
  ];
}

/** One error summary as the reports' JSON writes it. */
function summaryJson(s: Omit<ErrorSummary, 'kind'> & { readonly kind: string }) {
  return {
    kind: s.kind,
    group: s.group,
    rows: s.rows,
    median_abs_error_pct: s.medianAbsErrorPct,
    p90_abs_error_pct: s.p90AbsErrorPct,
    max_abs_error_pct: s.maxAbsErrorPct,
  };
}

/**
 * Where the predicted time goes: the batch, one decode step by term and one prefill, as compare's
 * JSON states them (`deployment.decode_*_s`), flat so that CSV gets a column each.
 */
function stepJson(r: { readonly prediction?: Prediction }) {
  const p = r.prediction;
  return {
    predicted_batch: p?.batch ?? null,
    predicted_bound: p === undefined ? null : stepBound(p.decodeStep),
    predicted_decode_step_s: p?.decodeStep.totalS ?? null,
    predicted_decode_memory_s: p?.decodeStep.memoryS ?? null,
    predicted_decode_compute_s: p?.decodeStep.computeS ?? null,
    predicted_decode_comm_s: p?.decodeStep.commS ?? null,
    predicted_decode_overhead_s: p?.decodeStep.overheadS ?? null,
    predicted_prefill_s: p?.prefillS ?? null,
  };
}

/** A row's TPOT and TTFT, measured, predicted and their errors, as both reports write them. */
function latencyJson(r: BacktestRow) {
  return {
    measured_tpot_s: r.row.tpot_ms === undefined ? null : r.row.tpot_ms / 1000,
    predicted_tpot_s: r.prediction?.tpotS ?? null,
    tpot_error_pct: r.tpotErrorPct ?? null,
    measured_ttft_s: r.row.ttft_ms === undefined ? null : r.row.ttft_ms / 1000,
    predicted_ttft_s: r.prediction?.ttftS ?? null,
    // Rows measured at a fixed concurrency only (docs/model.md 12a).
    ttft_error_pct: r.ttftErrorPct ?? null,
  };
}

export function backtestReport(rows: readonly BacktestRow[]) {
  return {
    rows: rows.map((r) => ({
      id: r.row.id,
      accelerator: r.row.accelerator,
      stack: r.row.stack ?? null,
      stack_assumed: (r.row as { stack_assumed?: boolean }).stack_assumed === true,
      // The factors' stack: the row's own, else the chip's default (a stack it has no factors for).
      predicted_with_stack: r.predictedWithStack ?? null,
      model: r.row.model,
      scenario: r.row.scenario,
      chips_per_replica: r.row.chips_per_replica,
      input_tokens: r.row.input_tokens,
      input_assumed: r.row.input_assumed,
      input_tokens_estimated: r.inputTokensEstimated ?? null,
      output_tokens: r.row.output_tokens,
      measured_output_tokens_per_s_per_chip: r.row.output_tokens_per_s_per_chip,
      predicted_output_tokens_per_s_per_chip: r.prediction?.tokensPerSPerChip ?? null,
      // The range compare would state for this chip and stack (docs/model.md section 11).
      stated_low: r.statedLow ?? null,
      stated_high: r.statedHigh ?? null,
      in_stated_range:
        r.statedLow === undefined || r.statedHigh === undefined
          ? null
          : r.row.output_tokens_per_s_per_chip >= r.statedLow &&
            r.row.output_tokens_per_s_per_chip <= r.statedHigh,
      error_pct: r.errorPct ?? null,
      ...latencyJson(r),
      ...stepJson(r),
      measured_system_w_per_chip: measuredSystemWPerChip(r.row) ?? null,
      predicted_system_w_per_chip:
        measuredSystemWPerChip(r.row) === undefined ? null : (r.prediction?.systemWPerChip ?? null),
      measured_tokens_per_joule: r.measuredTokensPerJoule ?? null,
      predicted_tokens_per_joule: r.predictedTokensPerJoule ?? null,
      tokens_per_joule_error_pct: r.tokensPerJouleErrorPct ?? null,
      batch_capped_from: r.prediction?.batchCappedFrom ?? null,
      reason: r.reason ?? null,
    })),
    summary: [...summaries(rows), ...energySummaries(rows)].map(summaryJson),
  };
}

/** The cross-validated report: out-of-fold predictions, their stated ranges, and summaries. */
export function cvReport(cv: CvResult) {
  return {
    method:
      'leave one source out (MLPerf: round, submitter and system; otherwise the document): refit on the other sources, predict the held-out rows (docs/model.md section 12a)',
    rows: cv.rows.map((r) => {
      const measuredW = measuredSystemWPerChip(r.row);
      return {
        id: r.row.id,
        accelerator: r.row.accelerator,
        stack: r.row.stack,
        model: r.row.model,
        fold: r.fold,
        fitted_on: r.level,
        fitted_at_estimated_inputs: r.latent ?? false,
        input_assumed: r.row.input_assumed,
        input_tokens_estimated: r.inputTokensEstimated ?? null,
        measured_output_tokens_per_s_per_chip: r.row.output_tokens_per_s_per_chip,
        predicted_output_tokens_per_s_per_chip: r.prediction?.tokensPerSPerChip ?? null,
        low: r.low ?? null,
        high: r.high ?? null,
        covered: r.covered ?? null,
        error_pct: r.errorPct ?? null,
        ...latencyJson(r),
        ...stepJson(r),
        // MLPerf Power rows: power from the power model refitted without the row's source (6.1).
        measured_system_w_per_chip: measuredW ?? null,
        predicted_system_w_per_chip: measuredW === undefined ? null : (r.prediction?.systemWPerChip ?? null),
        tokens_per_joule_error_pct: r.tokensPerJouleErrorPct ?? null,
        reason: r.reason ?? null,
      };
    }),
    summary: cv.summary.map((s) => ({
      ...summaryJson(s),
      coverage_pct: s.coveragePct,
      tpot_rows: s.tpotRows,
      median_abs_tpot_error_pct: s.medianAbsTpotErrorPct,
    })),
    bands: bandsJson(cv.bands),
    ...(cv.kindBands
      ? { kind_bands: { dense: bandsJson(cv.kindBands.dense), moe: bandsJson(cv.kindBands.moe) } }
      : {}),
    // docs/model.md section 11, `unmeasured_bands`: the least a chip with no rows on a stack states.
    ...(cv.unmeasuredBands ? { unmeasured_bands: bandsJson(cv.unmeasuredBands) } : {}),
    // docs/model.md section 11, "Chips nobody measured".
    ...(cv.chipsLeftOut
      ? {
          chips_left_out: cv.chipsLeftOut.map((t) => ({
            id: t.id,
            accelerator: t.chip,
            stack: t.stack,
            fold: t.fold,
            fitted_on: t.level,
            measured_output_tokens_per_s_per_chip: t.measured,
            predicted_output_tokens_per_s_per_chip: t.predicted,
            low: t.low ?? null,
            high: t.high ?? null,
            covered: t.covered ?? null,
            error_pct: t.errorPct,
          })),
        }
      : {}),
  };
}

/** Each level's band as `{ low_log, high_log }` (log of predicted over measured, q10 and q90). */
function bandsJson(bands: LevelBands | Readonly<Record<string, readonly [number, number]>>) {
  return Object.fromEntries(
    Object.entries(bands).map(([k, b]) => [k, { low_log: b?.[0] ?? null, high_log: b?.[1] ?? null }]),
  );
}

/** `backtest --cv --against`: the known-input figures before and after, and the gain per left-out source. */
export function cvComparisonReport(cmp: CvComparison, before: string, after: string) {
  const figures = (f: CvComparison['before']) => ({
    median_abs_error_pct: f.medianAbsErrorPct,
    p90_abs_error_pct: f.p90AbsErrorPct,
    coverage_pct: f.coveragePct,
  });
  return {
    method:
      'cross-validated twice (docs/model.md section 12a), before and after the change of corrections; the gain is the drop of the median |error| on the rows with a published input length, recomputed with each source left out in turn',
    before: { mechanisms: before, ...figures(cmp.before) },
    after: { mechanisms: after, ...figures(cmp.after) },
    known_input_rows: cmp.rows,
    gain_points: cmp.gainPoints,
    min_gain_points_one_source_out: cmp.leaveOneSourceOut[0]?.gainPoints ?? null,
    rows: cmp.leaveOneSourceOut.map((l) => ({
      source_left_out: l.source,
      rows_left: l.rowsLeft,
      gain_points: l.gainPoints,
    })),
    rule: {
      gain_at_least_1_point: cmp.rule.gainAtLeastOnePoint,
      p90_rise_at_most_2_points: cmp.rule.p90RiseAtMostTwoPoints,
      gain_with_every_source_left_out: cmp.rule.gainWithEverySourceLeftOut,
      acted_on_rows: cmp.rule.actedOn?.rows ?? null,
      acted_on_median_abs_error_pct_before: cmp.rule.actedOn?.medianBeforePct ?? null,
      acted_on_median_abs_error_pct_after: cmp.rule.actedOn?.medianAfterPct ?? null,
      acted_on_not_worse: cmp.rule.actedOn?.notWorse ?? null,
      passes: cmp.rule.passes,
    },
  };
}

/**
 * `backtest --cv --against`: the rows cross-validated with the corrections `mechanisms` gives and
 * again with `against` over them, compared (docs/model.md, "Which corrections are on").
 */
export function backtestAgainst(
  catalog: Catalog,
  located: readonly LocatedRow[],
  mechanisms: string | undefined,
  against: string,
  /** Progress: fits done and in all, over both cross-validations. */
  onStep?: (done: number, total: number) => void,
) {
  const beforeCases = resolveRows(catalog, located, parseMechanisms(mechanisms)).cases;
  const afterCases = resolveRows(catalog, located, parseMechanisms(mechanisms, against)).cases;
  const run = (cases: readonly MeasuredCase[], first: boolean) =>
    crossValidate(cases, {
      onStep: (done, total) => onStep?.(first ? done : total + done, 2 * total),
    });
  const cmp = compareCv(
    run(beforeCases, true),
    run(afterCases, false),
    actedOnRowIds(beforeCases, afterCases),
  );
  const before = mechanisms ?? 'defaults';
  const after = `${before} + ${against}`;
  return { cmp, before, after, report: cvComparisonReport(cmp, before, after) };
}

/**
 * The constants `backtest --cv --choose` can choose: each with its correction, the engine's value,
 * the value that is the same engine as the correction off, and the values it may take.
 */
const CHOOSABLE = {
  attention_efficiency_ratio: {
    key: 'attentionEfficiencyRatio',
    mechanism: 'attentionEfficiency',
    switchName: 'attention_efficiency',
    engineValue: ATTENTION_EFFICIENCY_RATIO,
    offValue: 1,
    range: [0, 1],
  },
  expert_efficiency_ratio: {
    key: 'expertEfficiencyRatio',
    mechanism: 'expertEfficiency',
    switchName: 'expert_efficiency',
    engineValue: EXPERT_EFFICIENCY_RATIO,
    offValue: 1,
    range: [0, 1],
  },
} as const satisfies Record<
  string,
  {
    key: keyof EngineConstants;
    mechanism: keyof Mechanisms;
    switchName: string;
    engineValue: number;
    offValue: number;
    /** Allowed values: above the first, at most the second. */
    range: readonly [number, number];
  }
>;
type Choosable = keyof typeof CHOOSABLE;

/** `--choose name=v1,v2,...`: a choosable constant and two or more distinct values in its range. */
export function parseChoose(text: string): { name: Choosable; values: number[] } {
  const m = /^([a-z_]+)=(.+)$/.exec(text.trim());
  const names = Object.keys(CHOOSABLE);
  if (!m || !Object.hasOwn(CHOOSABLE, m[1] as string))
    throw new UsageError(
      `--choose ${text}: expected name=value,value,... with a name of ${names.join(', ')}`,
    );
  const name = m[1] as Choosable;
  const [lo, hi] = CHOOSABLE[name].range;
  const values = (m[2] as string).split(',').map((v) => v.trim());
  const numbers = values.map((v) => (/^\d*\.?\d+$/.test(v) ? Number(v) : Number.NaN));
  const bad = values.find((_, i) => !((numbers[i] as number) > lo && (numbers[i] as number) <= hi));
  if (bad !== undefined) throw new UsageError(`--choose ${name}: ${bad} is not a number in (${lo}, ${hi}]`);
  if (new Set(numbers).size !== numbers.length)
    throw new UsageError(`--choose ${name}: a value is listed twice`);
  if (numbers.length < 2) throw new UsageError(`--choose ${name}: give at least two values to choose from`);
  return { name, values: numbers };
}

/** `backtest --cv --choose`'s report: every value's figures, the selection's, each source's choice. */
export function chosenConstantReport(
  chosen: ChosenConstant,
  name: string,
  values: { readonly engine: number; readonly off: number },
  mechanisms: string,
  againstOff: CvComparison | undefined,
) {
  const figures = (f: ChosenConstant['selected']) => ({
    median_abs_error_pct: f.medianAbsErrorPct,
    p90_abs_error_pct: f.p90AbsErrorPct,
    coverage_pct: f.coveragePct,
  });
  const atEngine = chosen.fixed.find((f) => f.value === values.engine)?.figures.medianAbsErrorPct;
  const selected = chosen.selected.medianAbsErrorPct;
  return {
    method:
      "cross-validated once per value (docs/model.md section 12a); each source's rows then take the value with the lowest median |error| on the other sources' held-out rows, so no source is scored with a value chosen on it",
    constant: name,
    mechanisms,
    engine_value: values.engine,
    off_value: values.off,
    known_input_rows: chosen.rows,
    fixed: chosen.fixed.map((f) => ({ value: f.value, ...figures(f.figures) })),
    selected: figures(chosen.selected),
    // Positive: the selection does better than the engine's fixed value (in the list only).
    gain_points_over_engine_value:
      atEngine === undefined || atEngine === null || selected === null ? null : atEngine - selected,
    // With the off value in the list: the switch rule, from the correction off to the selection.
    against_off: againstOff
      ? (({ method: _m, before: _b, after: _a, ...rest }) => rest)(
          cvComparisonReport(againstOff, 'off', 'chosen without each source'),
        )
      : null,
    rows: chosen.choices.map((c) => ({ source: c.source, rows: c.rows, value: c.value })),
  };
}

/**
 * `backtest --cv --choose name=v1,v2,...`: the rows cross-validated once per value of a chosen
 * constant, and scored with each source's value chosen without it (docs/model.md 12a). When the
 * list holds the value that is the correction off, the selection is judged against it by the
 * switch rule, the rows acted on being those the most chosen value moves.
 */
export function backtestChoose(
  catalog: Catalog,
  located: readonly LocatedRow[],
  mechanisms: string | undefined,
  choose: string,
  /** Progress: fits done and in all, over every value's cross-validation. */
  onStep?: (done: number, total: number) => void,
) {
  const { name, values } = parseChoose(choose);
  const c = CHOOSABLE[name];
  const mech = parseMechanisms(mechanisms);
  if (!mech[c.mechanism])
    throw new UsageError(
      `--choose ${name}: its correction ${c.switchName} is off; switch it on with --mechanisms ${c.switchName}=on`,
    );
  const casesOf = values.map((value) => resolveRows(catalog, located, mech, { [c.key]: value }).cases);
  const runs = values.map((value, k) => ({
    value,
    cv: crossValidate(casesOf[k] as MeasuredCase[], {
      onStep: (done, total) => onStep?.(k * total + done, values.length * total),
    }),
  }));
  const chosen = chooseConstant(runs);
  const off = values.indexOf(c.offValue);
  const againstOff = (() => {
    if (off < 0) return undefined;
    const taken = new Map<number, number>();
    for (const ch of chosen.choices) taken.set(ch.value, (taken.get(ch.value) ?? 0) + ch.rows);
    const most = [...taken.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? c.offValue;
    const offRun = runs[off] as (typeof runs)[number];
    return compareCv(
      offRun.cv,
      { rows: [...chosen.selectedRows], summary: [], bands: {} },
      actedOnRowIds(casesOf[off] as MeasuredCase[], casesOf[values.indexOf(most)] as MeasuredCase[]),
    );
  })();
  const label = mechanisms ?? 'defaults';
  const v = { engine: c.engineValue, off: c.offValue };
  return {
    chosen,
    name,
    values: v,
    againstOff,
    report: chosenConstantReport(chosen, name, v, label, againstOff),
  };
}
