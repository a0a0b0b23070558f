import type { AcceleratorFile } from './accelerator.js';
import { SOURCED_SECTIONS } from './accelerator.js';
import type { FleetFile } from './fleet.js';
import type { InlineModel } from './model.js';
import type { WorkloadFile } from './workload.js';

/** A semantic problem found after the shape checked out; `path` points into the file. */
export interface RuleIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Dotted paths of the numbers in the sourced sections that the profile sets. */
export function sourcedFieldPaths(profile: AcceleratorFile): string[] {
  const paths: string[] = [];
  for (const section of SOURCED_SECTIONS) {
    const fields = profile[section];
    if (!fields) continue;
    for (const [key, value] of Object.entries(fields))
      if (value !== undefined) paths.push(`${section}.${key}`);
  }
  return paths;
}

function sourceRules(profile: AcceleratorFile): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const fields = [...sourcedFieldPaths(profile), ...(profile.serving_stacks ? ['serving_stacks'] : [])];
  for (const field of fields) {
    if (!profile.sources[field]) {
      issues.push({ path: field.split('.'), message: `has no entry in sources (add sources."${field}")` });
    }
  }
  for (const [key, entry] of Object.entries(profile.sources)) {
    if (!fields.includes(key)) {
      issues.push({ path: ['sources', key], message: `names no field set in this profile` });
    } else if (entry.kind === 'estimate' && !entry.note) {
      issues.push({
        path: ['sources', key, 'kind'],
        message: 'an estimate needs a note saying how it was derived',
      });
    }
  }
  const quoteRules = (quotes: AcceleratorFile['prices'], at: readonly (string | number)[]) =>
    (quotes ?? []).forEach((q, i) => {
      if (q.kind === 'estimate' && !q.note) {
        issues.push({
          path: [...at, i, 'kind'],
          message: 'an estimate needs a note saying how it was derived',
        });
      }
      const range = rangeIssue(
        q.usd_per_chip_hour,
        q.low_usd_per_chip_hour,
        q.high_usd_per_chip_hour,
        q.kind,
        ['low_usd_per_chip_hour', 'high_usd_per_chip_hour'],
      );
      if (range) issues.push({ path: [...at, i, range.field], message: range.message });
    });
  quoteRules(profile.prices, ['prices']);
  // A form factor's own numbers follow the same rules as the profile's (docs/model.md section 1).
  (profile.form_factors ?? []).forEach((f, i) => {
    quoteRules(f.prices, ['form_factors', i, 'prices']);
    if (f.kind === 'estimate' && !f.note)
      issues.push({
        path: ['form_factors', i, 'kind'],
        message: 'an estimate needs a note saying how it was derived',
      });
    if (f.id === profile.id)
      issues.push({
        path: ['form_factors', i, 'id'],
        message: `must differ from the profile's id (${profile.id})`,
      });
    if (f.system_w_per_chip !== undefined && f.system_w_per_chip < profile.power.tdp_w)
      issues.push({
        path: ['form_factors', i, 'system_w_per_chip'],
        message: `is all-in server power per chip and cannot be below tdp_w (${profile.power.tdp_w}), got ${f.system_w_per_chip}`,
      });
  });
  // Estimated power and capex widen the tokens/W and tokens/$ ranges, so they must say how far
  // (docs/model.md 11).
  const ranged: [string, number | undefined][] = [
    ['power.tdp_w', profile.power.tdp_w],
    ['power.system_w_per_chip', profile.power.system_w_per_chip],
    ['tco.capex_usd_per_chip', profile.tco?.capex_usd_per_chip],
  ];
  for (const [field, value] of ranged) {
    const entry = profile.sources[field];
    if (value === undefined || !entry) continue;
    const range = rangeIssue(value, entry.low, entry.high, entry.kind);
    if (range) issues.push({ path: ['sources', field, range.field], message: range.message });
  }
  // A stated collective latency range widens the throughput range (docs/model.md 11); it must
  // hold the value, though the 5 us default estimate states none.
  const alpha = profile.sources['interconnect.latency_us'];
  const alphaRange =
    alpha && (alpha.low === undefined) !== (alpha.high === undefined)
      ? {
          field: alpha.low === undefined ? 'low' : 'high',
          message: 'a stated range needs its low and high (one alone would be ignored)',
        }
      : alpha && rangeIssue(profile.interconnect.latency_us, alpha.low, alpha.high, undefined);
  if (alphaRange)
    issues.push({
      path: ['sources', 'interconnect.latency_us', alphaRange.field],
      message: alphaRange.message,
    });
  return issues;
}

/** An estimate states its low and high; any stated range holds the value. */
function rangeIssue(
  value: number,
  low: number | undefined,
  high: number | undefined,
  kind: string | undefined,
  [lowField, highField]: readonly [string, string] = ['low', 'high'],
): { field: string; message: string } | undefined {
  if (kind === 'estimate' && (low === undefined || high === undefined))
    return {
      field: low === undefined ? lowField : highField,
      message: 'an estimate needs its low and high (the range its derivation allows)',
    };
  if (low !== undefined && low > value) return { field: lowField, message: `is above the value ${value}` };
  if (high !== undefined && high < value) return { field: highField, message: `is below the value ${value}` };
  return undefined;
}

/** A model's sliding-window and linear-attention layers are some of its layers, not more. */
export function slidingRules(m: {
  layers: number;
  sliding_window?: { layers: number } | undefined;
  linear_attention?: { layers: number } | undefined;
}): RuleIssue[] {
  if (m.sliding_window && m.sliding_window.layers > m.layers)
    return [
      {
        path: ['sliding_window', 'layers'],
        message: `is more than the model's ${m.layers} layers`,
      },
    ];
  const sliding = m.sliding_window?.layers ?? 0;
  if (m.linear_attention && m.linear_attention.layers + sliding > m.layers)
    return [
      {
        path: ['linear_attention', 'layers'],
        message:
          sliding > 0
            ? `with the ${sliding} sliding-window layers is more than the model's ${m.layers} layers`
            : `is more than the model's ${m.layers} layers`,
      },
    ];
  return [];
}

export function acceleratorRules(profile: AcceleratorFile): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (Object.values(profile.compute_tflops).every((v) => v === undefined)) {
    issues.push({ path: ['compute_tflops'], message: 'needs the dense rate of at least one precision' });
  }
  const { capacity_gib: gib, capacity_gb: gb } = profile.memory;
  if ((gib === undefined) === (gb === undefined)) {
    issues.push({
      path: ['memory', gib === undefined ? 'capacity_gib' : 'capacity_gb'],
      message:
        gib === undefined
          ? 'is required: the HBM capacity in GiB (or capacity_gb in decimal GB)'
          : 'give capacity_gib or capacity_gb, not both',
    });
  }
  if (profile.serving_stacks !== undefined) {
    for (const stack of Object.keys(profile.stacks ?? {}).filter(
      (k) => !profile.serving_stacks?.includes(k),
    )) {
      issues.push({
        path: ['stacks', stack],
        message: `is not among serving_stacks (${profile.serving_stacks.join(', ')})`,
      });
    }
  }
  if (profile.default_stack !== undefined && !Object.hasOwn(profile.stacks ?? {}, profile.default_stack)) {
    issues.push({
      path: ['default_stack'],
      message: `names no entry of stacks (${Object.keys(profile.stacks ?? {}).join(', ') || 'none'})`,
    });
  }
  const sys = profile.power.system_w_per_chip;
  if (sys !== undefined && sys < profile.power.tdp_w) {
    issues.push({
      path: ['power', 'system_w_per_chip'],
      message: `is all-in server power per chip and cannot be below tdp_w (${profile.power.tdp_w}), got ${sys}`,
    });
  }
  for (const [name, factor] of Object.entries(profile.efficiency)) {
    if (factor.low !== undefined && factor.low > factor.value) {
      issues.push({ path: ['efficiency', name, 'low'], message: `must not exceed value (${factor.value})` });
    }
    if (factor.high !== undefined && factor.high < factor.value) {
      issues.push({
        path: ['efficiency', name, 'high'],
        message: `must not be below value (${factor.value})`,
      });
    }
  }
  return [...issues, ...sourceRules(profile)];
}

export function modelRules(model: InlineModel): RuleIssue[] {
  const issues: RuleIssue[] = [...slidingRules(model)];
  if (model.params.active_b > model.params.total_b) {
    issues.push({
      path: ['params', 'active_b'],
      message: `cannot exceed total_b (${model.params.total_b}), got ${model.params.active_b}`,
    });
  }
  if (!model.mla && model.kv_heads === undefined) {
    issues.push({ path: ['kv_heads'], message: 'is required unless the model uses MLA (give mla: instead)' });
  }
  if (model.kv_heads !== undefined && model.heads % model.kv_heads !== 0) {
    issues.push({ path: ['kv_heads'], message: `must divide heads (${model.heads}), got ${model.kv_heads}` });
  }
  // Gated DeltaNet shares each query/key head among value_heads / key_heads value heads.
  if (model.linear_attention && model.linear_attention.value_heads % model.linear_attention.key_heads !== 0) {
    issues.push({
      path: ['linear_attention', 'value_heads'],
      message: `must be a multiple of key_heads (${model.linear_attention.key_heads}), got ${model.linear_attention.value_heads}`,
    });
  }
  if (model.moe) {
    if (model.moe.experts_per_token > model.moe.experts) {
      issues.push({
        path: ['moe', 'experts_per_token'],
        message: `cannot exceed experts (${model.moe.experts}), got ${model.moe.experts_per_token}`,
      });
    }
    if (model.moe.expert_params_b >= model.params.total_b) {
      issues.push({
        path: ['moe', 'expert_params_b'],
        message: `must be below params.total_b (${model.params.total_b}), got ${model.moe.expert_params_b}`,
      });
    }
  }
  return issues;
}

export function workloadRules(workload: WorkloadFile): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (typeof workload.model === 'object') {
    for (const issue of modelRules(workload.model)) issues.push({ ...issue, path: ['model', ...issue.path] });
  }
  issues.push(...demandRule(workload.demand, ['demand']));
  if (workload.demand && workload.power_budget !== undefined)
    issues.push({
      path: ['power_budget'],
      message:
        'give a demand or a power budget, not both: a fleet is sized for one (docs/model.md section 8)',
    });
  const d = workload.deployment;
  if (d?.batch !== undefined && d.max_batch !== undefined && d.batch > d.max_batch) {
    issues.push({
      path: ['deployment', 'batch'],
      message: `cannot exceed max_batch (${d.max_batch}), got ${d.batch}`,
    });
  }
  return issues;
}

/** A demand gives output tokens per day or requests per second, one of them (docs/model.md 8). */
function demandRule(
  demand: { output_tokens_per_day?: number | undefined; requests_per_s?: number | undefined } | undefined,
  path: (string | number)[],
): RuleIssue[] {
  if (!demand || (demand.output_tokens_per_day === undefined) !== (demand.requests_per_s === undefined))
    return [];
  return [{ path, message: 'give output_tokens_per_day or requests_per_s (one of them)' }];
}

/** A fleet plan (docs/model.md 8a): each chip once, demands well formed, and a bounded objective. */
export function fleetRules(f: FleetFile): RuleIssue[] {
  const issues: RuleIssue[] = [];
  f.chips.forEach((c, i) => {
    if (f.chips.findIndex((d) => d.id === c.id) !== i)
      issues.push({
        path: ['chips', i, 'id'],
        message: `"${c.id}" is listed twice; give each chip once, with one cap`,
      });
  });
  f.workloads.forEach((w, i) => {
    issues.push(...demandRule(w.demand, ['workloads', i, 'demand']));
    if ((f.objective ?? 'min_cost') === 'min_cost' && !w.demand)
      issues.push({ path: ['workloads', i], message: 'min_cost needs a demand for every workload' });
  });
  const unbounded =
    f.objective === 'max_tokens' &&
    f.power_budget === undefined &&
    f.usd_per_year_budget === undefined &&
    f.chips.some((c) => c.max_chips === undefined) &&
    f.workloads.some((w) => !w.demand);
  if (unbounded)
    issues.push({
      path: ['objective'],
      message:
        'max_tokens needs a bound: a power or money budget, every chip capped, or every workload a demand',
    });
  return issues;
}
