// What changed between two saved results, as data (the CLI's diff prints it).
import { UsageError } from '../io/errors.js';
import { METRIC_KEYS, type MetricKey, type ResultDoc } from '../schema/result.js';
import { pricingLabel } from './expect.js';

export interface Change {
  /** The workload's name, or `mix NAME` for a traffic mix's blend (docs/model.md 8b). */
  readonly workload: string;
  readonly accelerator: string;
  /**
   * A metric key; `status` when the accelerator went from running to not (or back); `presence`
   * when it is in one result only; `pricing` when the workload's plan or price basis changed
   * (every cost metric then compares two prices, not two answers).
   */
  readonly metric: MetricKey | 'status' | 'presence' | 'pricing';
  readonly old: number | string | null;
  readonly new: number | string | null;
  readonly delta: number | null;
  readonly percent: number | null;
}

/** Every metric that moved between two saved results, per (workload, accelerator). Pure. */
export function diffResults(
  before: ResultDoc,
  after: ResultDoc,
  metrics: readonly MetricKey[] = METRIC_KEYS,
): Change[] {
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
  const pricing = pricingLabel;
  for (const name of names) {
    const a = before.results.find((r) => r.workload.name === name);
    const b = after.results.find((r) => r.workload.name === name);
    if (a && b && pricing(a) !== pricing(b))
      changes.push({
        workload: name,
        accelerator: '*',
        metric: 'pricing',
        old: pricing(a),
        new: pricing(b),
        delta: null,
        percent: null,
      });
    const ids = [...new Set([...(a?.accelerators ?? []), ...(b?.accelerators ?? [])].map((x) => x.id))];
    for (const id of ids) {
      const x = a?.accelerators.find((v) => v.id === id);
      const y = b?.accelerators.find((v) => v.id === id);
      if (!x || !y) {
        changes.push({
          workload: name,
          accelerator: id,
          metric: 'presence',
          old: x ? 'present' : 'absent',
          new: y ? 'present' : 'absent',
          delta: null,
          percent: null,
        });
        continue;
      }
      if (x.status !== y.status) {
        changes.push({
          workload: name,
          accelerator: id,
          metric: 'status',
          old: x.status,
          new: y.status,
          delta: null,
          percent: null,
        });
      }
      for (const m of metrics) {
        const o = x.metrics[m];
        const n = y.metrics[m];
        if (o === n) continue;
        if (o === null || n === null) {
          changes.push({
            workload: name,
            accelerator: id,
            metric: m,
            old: o,
            new: n,
            delta: null,
            percent: null,
          });
          continue;
        }
        const percent = o === 0 ? null : (n / o - 1) * 100;
        if (percent !== null && Math.abs(percent) < 1e-9) continue;
        changes.push({ workload: name, accelerator: id, metric: m, old: o, new: n, delta: n - o, percent });
      }
    }
  }
  return [...changes, ...mixChanges(before, after, metrics)];
}

const BLENDED = ['usd_per_mtok_output', 'output_tokens_per_usd', 'tokens_per_joule_output'] as const;

/** A traffic mix's blend per chip (docs/model.md 8b): its three metrics, as a workload's. */
function mixChanges(before: ResultDoc, after: ResultDoc, metrics: readonly MetricKey[]): Change[] {
  const changes: Change[] = [];
  const names = [...new Set([...(before.mixes ?? []), ...(after.mixes ?? [])].map((m) => m.name))];
  for (const name of names) {
    const a = before.mixes?.find((m) => m.name === name);
    const b = after.mixes?.find((m) => m.name === name);
    const label = `mix ${name}`;
    const ids = [...new Set([...(a?.accelerators ?? []), ...(b?.accelerators ?? [])].map((x) => x.id))];
    for (const id of ids) {
      const x = a?.accelerators.find((v) => v.id === id);
      const y = b?.accelerators.find((v) => v.id === id);
      if (!x || !y) {
        changes.push({
          workload: label,
          accelerator: id,
          metric: 'presence',
          old: x ? 'present' : 'absent',
          new: y ? 'present' : 'absent',
          delta: null,
          percent: null,
        });
        continue;
      }
      for (const m of BLENDED) {
        if (!metrics.includes(m)) continue;
        const [o, n] = [x[m], y[m]];
        if (o === n) continue;
        const percent = o === null || n === null || o === 0 ? null : (n / o - 1) * 100;
        if (percent !== null && Math.abs(percent) < 1e-9) continue;
        changes.push({
          workload: label,
          accelerator: id,
          metric: m,
          old: o,
          new: n,
          delta: o === null || n === null ? null : n - o,
          percent,
        });
      }
    }
  }
  return changes;
}
