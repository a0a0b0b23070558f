// What changed between two saved results, as data (the CLI's diff prints it).
import { METRIC_KEYS, type MetricKey, type ResultDoc } from '../schema/result.js';

export interface Change {
  readonly workload: string;
  readonly accelerator: string;
  /** A metric key, or `status` when the accelerator went from running to not (or back). */
  readonly metric: MetricKey | 'status' | 'presence';
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
  const names = [...new Set([...before.results, ...after.results].map((r) => r.workload.name))];
  for (const name of names) {
    const a = before.results.find((r) => r.workload.name === name);
    const b = after.results.find((r) => r.workload.name === name);
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
  return changes;
}
