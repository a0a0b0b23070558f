import { z } from 'zod';
import { idSchema, once } from './common.js';

/** A sweep file: a base workload (a path or written inline), the axes, and the accelerators. */
export const sweepSchema = once(() =>
  z.strictObject({
    workload: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    axes: z.record(
      z.string().min(1),
      z.union([z.string().min(1), z.array(z.union([z.string(), z.number()])).min(1)]),
    ),
    accelerators: z.array(idSchema()).min(1).optional(),
    baseline: idSchema().optional(),
  }),
);
export type SweepFile = z.infer<ReturnType<typeof sweepSchema>>;

const NUM = '(-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)';
const ARITHMETIC = new RegExp(`^${NUM}\\.\\.${NUM}:${NUM}$`, 'i');
const GEOMETRIC = new RegExp(`^${NUM}\\.\\.${NUM}\\*${NUM}$`, 'i');

/** Keeps 12 significant digits, so 0.1 steps print as 0.3, not 0.30000000000000004. */
function tidy(v: number): number {
  return Number(v.toPrecision(12));
}

/** An axis's values, computed on demand: a 10-million-value range costs nothing until it is used. */
export interface AxisValues {
  readonly count: number;
  valueAt(i: number): unknown;
  /** Values written out one by one (not a range): any of them may be the bad one. */
  readonly listed?: boolean;
  /** A range whose every value is whole (a whole start and step, or start and factor): no value needs a scan. */
  readonly whole?: boolean;
}

export type ParsedAxis = ({ ok: true } & AxisValues) | { ok: false; message: string };

function listAxis(values: readonly unknown[]): { ok: true } & AxisValues {
  return { ok: true, count: values.length, valueAt: (i) => values[i], listed: true };
}

/** Every value of an axis, for tests and small axes. */
export function axisValues(a: AxisValues): unknown[] {
  return Array.from({ length: a.count }, (_, i) => a.valueAt(i));
}

/**
 * Axis values: `a..b:step` (arithmetic, b included when reached), `a..b*x` (geometric),
 * or a comma-separated list whose items read as YAML scalars (numbers stay numbers).
 * Ranges are checked by their ends and step, never expanded.
 */
export function parseAxisValues(
  text: string,
  parseScalar: (s: string) => unknown,
  maxValues = 10_000_000,
): ParsedAxis {
  const a = ARITHMETIC.exec(text);
  if (a) {
    const [from, to, step] = [Number(a[1]), Number(a[2]), Number(a[3])];
    if (!(step > 0) || to < from)
      return { ok: false, message: `"${text}": a..b:step needs a <= b and step > 0` };
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (!(n <= maxValues)) return { ok: false, message: `"${text}" has ${n} values; at most ${maxValues}` };
    return {
      ok: true,
      count: n,
      valueAt: (i) => tidy(from + i * step),
      whole: Number.isInteger(from) && Number.isInteger(step),
    };
  }
  const g = GEOMETRIC.exec(text);
  if (g) {
    const [from, to, factor] = [Number(g[1]), Number(g[2]), Number(g[3])];
    if (!(from > 0) || !(factor > 1) || to < from) {
      return { ok: false, message: `"${text}": a..b*x needs 0 < a <= b and x > 1` };
    }
    // The largest i with from * factor^i <= to (with the same 1e-12 slack as before).
    const n = Math.floor(Math.log((to * (1 + 1e-12)) / from) / Math.log(factor) + 1e-9) + 1;
    if (!(n <= maxValues)) return { ok: false, message: `"${text}" has more than ${maxValues} values` };
    return {
      ok: true,
      count: n,
      valueAt: (i) => tidy(from * factor ** i),
      whole: Number.isInteger(from) && Number.isInteger(factor),
    };
  }
  // `a..b` alone looks like a range and reads as one value: say what a range needs.
  if (/^\s*[-+]?\d[\d.eE+-]*\.\.[-+]?\d[\d.eE+-]*\s*$/.test(text))
    return {
      ok: false,
      message: `"${text}": a range needs a step, a..b:step (arithmetic) or a..b*x (geometric)`,
    };
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) return { ok: false, message: `"${text}": an empty value in the list` };
  return listAxis(items.map(parseScalar));
}

/** A sweep file's list of values as an axis. */
export function listAxisValues(values: readonly unknown[]): AxisValues {
  return listAxis(values);
}

/** The shard `k/n` as a half-open range of point indices: contiguous, so shards concatenate. */
export function shardRange(total: number, k: number, n: number): [number, number] {
  // In BigInt: k * total passes 2^53 long before total does, and the rounded product moved a
  // bound off the exact split (shard 2/3 of 2^53 - 1 points ended a point late).
  const at = (i: number) => Number((BigInt(i) * BigInt(total)) / BigInt(n));
  return [at(k - 1), at(k)];
}
