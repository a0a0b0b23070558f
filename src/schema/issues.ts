// Turns zod issues and rule issues into one-line English, pure: positions are added by src/io.
import type { z } from 'zod';
import { POWER_MESSAGE } from './common.js';

export type Path = readonly (string | number)[];

export interface Problem {
  /** Where the problem is: the field itself, or for an unknown key the key. */
  readonly path: Path;
  readonly message: string;
  /** True when `path` names a key (point at the key, not its value). */
  readonly atKey?: boolean;
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  // A word that begins a candidate ("h100" of "h100-sxm") is a shorthand, not a typo.
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(word.toLowerCase()));
  if (word.length >= 2 && prefixed.length > 0) return prefixed.sort((a, b) => a.length - b.length)[0];
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (best !== undefined && (bestD <= limit || best.startsWith(word) || word.startsWith(best))) return best;
  return undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const n = nearest(word, candidates);
  return n === undefined ? '' : `; did you mean "${n}"?`;
}

/** How a value reads in a message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (typeof v === 'string') return JSON.stringify(v);
  // A message never prints NaN or Infinity: they are what YAML's .nan and .inf (or a literal
  // beyond 1.8e308) read as, so say that.
  if (typeof v === 'number' && Number.isNaN(v)) return 'not a number (.nan)';
  if (typeof v === 'number' && !Number.isFinite(v))
    return `an infinite number (${v > 0 ? '' : '-'}.inf, or beyond 1.8e308)`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

export function valueAt(data: unknown, path: Path): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  valueType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
}

function defsAt(def: Def, path: Path): Def[] {
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
      return def.innerType ? defsAt(def.innerType._zod.def, path) : [];
    case 'pipe':
      return def.in ? defsAt(def.in._zod.def, path) : [];
    case 'union':
      return (def.options ?? []).flatMap((o) => defsAt(o._zod.def, path));
    default:
      break;
  }
  if (path.length === 0) return [def];
  const [head, ...rest] = path;
  if (def.type === 'object' && typeof head === 'string') {
    const child = def.shape?.[head];
    return child ? defsAt(child._zod.def, rest) : [];
  }
  if (def.type === 'array' && def.element) return defsAt(def.element._zod.def, rest);
  if (def.type === 'record' && def.valueType) return defsAt(def.valueType._zod.def, rest);
  return [];
}

/** The keys a strict object at `path` accepts (for "did you mean"). */
export function knownKeysAt(schema: z.ZodType, path: Path): string[] {
  const defs = defsAt((schema as unknown as { _zod: { def: Def } })._zod.def, path);
  return [...new Set(defs.flatMap((d) => (d.type === 'object' && d.shape ? Object.keys(d.shape) : [])))];
}

function quantity(n: number | bigint): string {
  return typeof n === 'bigint' ? n.toString() : String(n);
}

/** One zod issue (zod 4 shape) as a problem with an English message. */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown, schema: z.ZodType): Problem[] {
  const path = issue.path as Path;
  const actual = valueAt(data, path);
  // A power budget out of bounds, of a number or a string, is told what a power is, one message.
  if (
    path[path.length - 1] === 'power_budget' &&
    (issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_format')
  )
    return [{ path, message: `${POWER_MESSAGE}, got ${describeValue(actual)}` }];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: `unknown key "${key}"${didYouMean(key, known)}${known.length > 0 && !didYouMean(key, known) ? ` (known keys: ${known.join(', ')})` : ''}`,
      }));
    }
    case 'invalid_type': {
      if (actual === undefined) {
        const key = path[path.length - 1];
        return [{ path, message: `missing required field "${String(key)}"` }];
      }
      const names: Record<string, string> = {
        int: 'a whole number',
        object: 'a mapping',
        array: 'a list',
        string: 'text',
      };
      const expected = names[issue.expected] ?? `a ${issue.expected}`;
      if (issue.expected === 'number' && typeof actual === 'number') {
        return [{ path, message: `expected a finite number, got ${describeValue(actual)}` }];
      }
      return [{ path, message: `expected ${expected}, got ${describeValue(actual)}` }];
    }
    case 'too_small': {
      if (issue.origin === 'number') {
        const min = Number(issue.minimum);
        const what =
          min === 0 && !issue.inclusive
            ? 'a positive number'
            : `a number ${issue.inclusive ? '>=' : '>'} ${quantity(issue.minimum)}`;
        return [{ path, message: `expected ${what}, got ${describeValue(actual)}` }];
      }
      if (issue.origin === 'array') {
        return [
          {
            path,
            message: `expected at least ${quantity(issue.minimum)} item(s), got ${describeValue(actual)}`,
          },
        ];
      }
      return [{ path, message: `expected a non-empty value, got ${describeValue(actual)}` }];
    }
    case 'too_big': {
      if (issue.origin === 'number') {
        return [
          {
            path,
            message: `expected a number ${issue.inclusive ? '<=' : '<'} ${quantity(issue.maximum)}, got ${describeValue(actual)}`,
          },
        ];
      }
      return [{ path, message: `expected at most ${quantity(issue.maximum)}, got ${describeValue(actual)}` }];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const hint = typeof actual === 'string' ? didYouMean(actual, values) : '';
      return [{ path, message: `expected one of ${values.join(', ')}, got ${describeValue(actual)}${hint}` }];
    }
    case 'invalid_format':
      return [{ path, message: `expected ${issue.message}, got ${describeValue(actual)}` }];
    case 'invalid_union': {
      // The branch whose type matched tells the real problem (an inline model's bad field).
      const branch = issue.errors.find(
        (errs) => !errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'),
      );
      if (branch && branch.length > 0) {
        return branch.flatMap((e) => describeIssue({ ...e, path: [...path, ...e.path] }, data, schema));
      }
      return [{ path, message: unionMessage(path, actual) }];
    }
    default:
      return [{ path, message: `${issue.message}, got ${describeValue(actual)}` }];
  }
}

function unionMessage(path: Path, actual: unknown): string {
  const last = path[path.length - 1];
  if (last === 'model') return `expected a model id or an inline model, got ${describeValue(actual)}`;
  // A sweep file's axis (src/schema/sweep.ts), and a base workload named or written inline.
  if (path[0] === 'axes' && path.length === 2)
    return `expected a list of values ([500, 1000]) or a range ("100..8000*2", "0..1:0.1"), got ${describeValue(actual)}`;
  // One value in an axis's list.
  if (path[0] === 'axes' && path.length === 3)
    return `expected a number or a string (an axis value), got ${describeValue(actual)}`;
  if (last === 'power_budget') return `${POWER_MESSAGE}, got ${describeValue(actual)}`;
  if (last === 'workload' || path[0] === 'workloads')
    return `expected a workload file, a bundled workload's name or an inline workload, got ${describeValue(actual)}`;
  return `expected a precision (fp4, fp6, fp8, int8, int4, bf16, fp16, fp32) or { format, bits }, got ${describeValue(actual)}`;
}
