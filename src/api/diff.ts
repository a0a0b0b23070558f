// What changed between two saved results, as data (the CLI's diff prints it).
import { UsageError } from '../io/errors.js';
import { METRIC_KEYS, type MetricKey, MIX_METRICS, type ResultDoc } from '../schema/result.js';
import { definitionChanges, pricingLabel, stackName } from './expect.js';

export interface Change {
  /** The workload's name, or `mix NAME` for a traffic mix's blend (docs/model.md 8b). */
  readonly workload: string;
  readonly accelerator: string;
  /**
   * A metric key; `status` when the accelerator went from running to not (or back); `presence`
   * when it is in one result only; `pricing` when the workload's plan or price basis changed
   * (every cost metric then compares two prices, not two answers); `workload` when a field of
   * the workload's definition changed (`old`/`new` are `field=value`: another model, length or
   * limit, so every metric compares two questions); `stack` when a chip's serving stack changed.
   */
  readonly metric: MetricKey | FleetKey | 'status' | 'presence' | 'pricing' | 'workload' | 'stack';
  readonly old: number | string | null;
  readonly new: number | string | null;
  readonly delta: number | null;
  readonly percent: number | null;
}

/** The fleet a result was sized to (docs/model.md section 8), compared as metrics are. */
export const FLEET_KEYS = [
  'fleet_chips',
  'fleet_replicas',
  'fleet_facility_w',
  'fleet_output_tokens_per_day',
  'fleet_usd_per_year',
] as const;
export type FleetKey = (typeof FLEET_KEYS)[number];

type Fleet = ResultDoc['results'][number]['accelerators'][number]['fleet'];
const FLEET_OF: Record<FleetKey, (f: NonNullable<Fleet>) => number | null> = {
  fleet_chips: (f) => f.chips,
  fleet_replicas: (f) => f.replicas,
  fleet_facility_w: (f) => f.facility_w,
  fleet_output_tokens_per_day: (f) => f.output_tokens_per_day,
  fleet_usd_per_year: (f) => f.usd_per_year,
};

/** A fleet figure's key (`fleet_chips`), as diff prints and `--metrics` takes it. */
export function isFleetKey(k: string): k is FleetKey {
  return (FLEET_KEYS as readonly string[]).includes(k);
}

/**
 * Every metric that moved between two saved results, per (workload, accelerator), and the fleet
 * each was sized to, unless `metrics` narrows what is compared (to metrics, fleet figures or
 * both). Pure.
 */
export function diffResults(
  before: ResultDoc,
  after: ResultDoc,
  metrics: readonly (MetricKey | FleetKey)[] = METRIC_KEYS,
): Change[] {
  const fleetKeys = metrics === METRIC_KEYS ? FLEET_KEYS : FLEET_KEYS.filter((k) => metrics.includes(k));
  const metricKeys = metrics.filter((m): m is MetricKey => !isFleetKey(m));
  const changes: Change[] = [];
  // Workloads are paired by name: two of one name in a result would pair by position, silently.
  for (const [doc, which] of [
    [before, 'the old result'],
    [after, 'the new result'],
  ] as const) {
    const names = doc.results.map((r) => r.workload.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined)
      throw new UsageError(
        `${which} has two workloads named "${twice}": diff pairs workloads by name; give them distinct names`,
      );
  }
  const names = [...new Set([...before.results, ...after.results].map((r) => r.workload.name))];
  for (const name of names) {
    const a = before.results.find((r) => r.workload.name === name);
    const b = after.results.find((r) => r.workload.name === name);
    if (a && b && pricingLabel(a) !== pricingLabel(b))
      changes.push(textChange(name, '*', 'pricing', pricingLabel(a), pricingLabel(b)));
    if (a && b)
      for (const c of definitionChanges(a, b))
        changes.push(textChange(name, '*', 'workload', `${c.field}=${c.old}`, `${c.field}=${c.new}`));
    pairById(name, a?.accelerators, b?.accelerators, changes, (id, x, y) => {
      if (stackName(x) !== stackName(y))
        changes.push(textChange(name, id, 'stack', stackName(x), stackName(y)));
      if (x.status !== y.status) changes.push(textChange(name, id, 'status', x.status, y.status));
      for (const m of metricKeys) pushMoved(changes, name, id, m, x.metrics[m], y.metrics[m]);
      for (const k of fleetKeys)
        pushMoved(changes, name, id, k, fleetValue(x.fleet, k), fleetValue(y.fleet, k));
    });
  }
  // A traffic mix's blend per chip (docs/model.md 8b): its three metrics, as a workload's.
  const mixNames = [...new Set([...(before.mixes ?? []), ...(after.mixes ?? [])].map((m) => m.name))];
  for (const name of mixNames) {
    const label = `mix ${name}`;
    const a = before.mixes?.find((m) => m.name === name);
    const b = after.mixes?.find((m) => m.name === name);
    pairById(label, a?.accelerators, b?.accelerators, changes, (id, x, y) => {
      for (const m of MIX_METRICS) if (metricKeys.includes(m)) pushMoved(changes, label, id, m, x[m], y[m]);
    });
  }
  return changes;
}

function textChange(
  workload: string,
  accelerator: string,
  metric: Change['metric'],
  old: string,
  now: string,
) {
  return { workload, accelerator, metric, old, new: now, delta: null, percent: null };
}

/** Each id in either list: `presence` when in one only, else `both` says what moved. */
function pairById<T extends { readonly id: string }>(
  workload: string,
  xs: readonly T[] | undefined,
  ys: readonly T[] | undefined,
  changes: Change[],
  both: (id: string, x: T, y: T) => void,
): void {
  const ids = [...new Set([...(xs ?? []), ...(ys ?? [])].map((v) => v.id))];
  for (const id of ids) {
    const x = xs?.find((v) => v.id === id);
    const y = ys?.find((v) => v.id === id);
    if (x && y) both(id, x, y);
    else
      changes.push(textChange(workload, id, 'presence', x ? 'present' : 'absent', y ? 'present' : 'absent'));
  }
}

function fleetValue(fleet: Fleet | undefined, key: FleetKey): number | null {
  return fleet ? FLEET_OF[key](fleet) : null;
}

/** A metric that moved (beyond floating-point noise), or to or from no value. */
function pushMoved(
  changes: Change[],
  workload: string,
  accelerator: string,
  metric: MetricKey | FleetKey,
  o: number | null,
  n: number | null,
): void {
  if (o === n) return;
  if (o === null || n === null) {
    changes.push({ workload, accelerator, metric, old: o, new: n, delta: null, percent: null });
    return;
  }
  // Values near the float limits (1e308) overflow the quotient or the difference: no figure, not Infinity.
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const percent = o === 0 ? null : finite((n / o - 1) * 100);
  if (percent !== null && Math.abs(percent) < 1e-9) return;
  changes.push({ workload, accelerator, metric, old: o, new: n, delta: finite(n - o), percent });
}
