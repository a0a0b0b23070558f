// Field paths of the file formats, for `--set` and `--vary`: full paths (`slo.tpot_ms`) or an
// unambiguous tail (`tpot_ms`).
import type { z } from 'zod';
import { acceleratorSchema } from './accelerator.js';
import { once } from './common.js';
import { nearest } from './issues.js';
import { workloadSchema } from './workload.js';

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
}

function leaves(def: Def, prefix: string[]): string[][] {
  if ((def.type === 'optional' || def.type === 'default') && def.innerType)
    return leaves(def.innerType._zod.def, prefix);
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([k, child]) => leaves(child._zod.def, [...prefix, k]));
  }
  return [prefix];
}

function leafPaths(schema: z.ZodType): string[] {
  return leaves((schema as unknown as { _zod: { def: Def } })._zod.def, []).map((p) => p.join('.'));
}

export const WORKLOAD_FIELDS = once(() => leafPaths(workloadSchema()));
/**
 * A profile's identity, which `--set` and `--vary` refuse: `id` is how the run finds, pairs and
 * baselines the chip (a set id dropped the baseline or made two chips one), and `vendor` is a
 * fact about the chip that no figure is computed from. `name` is only the label printed beside
 * the id, so it stays settable.
 */
const IDENTITY_FIELDS: readonly string[] = ['id', 'vendor'];

/** `price.<plan>` is a shorthand for that plan's `usd_per_chip_hour`; efficiency factors take `.value`. */
export const ACCELERATOR_FIELDS = once(() =>
  leafPaths(acceleratorSchema()).filter((p) => !p.startsWith('sources') && !IDENTITY_FIELDS.includes(p)),
);

export type Resolution = { ok: true; path: string[] } | { ok: false; message: string };

/** A full path, or the one field path ending in the given segments. */
export function resolveFieldPath(given: string, fields: readonly string[]): Resolution {
  if (fields.includes(given)) return { ok: true, path: given.split('.') };
  const matches = fields.filter((f) => f.endsWith(`.${given}`));
  if (matches.length === 1) return { ok: true, path: (matches[0] as string).split('.') };
  if (matches.length > 1) return { ok: false, message: `"${given}" is ambiguous: ${matches.join(', ')}` };
  const hint =
    nearest(given, fields) ??
    nearest(
      given,
      fields.map((f) => f.split('.').pop() as string),
    );
  return { ok: false, message: `unknown field "${given}"${hint ? `; did you mean "${hint}"?` : ''}` };
}

/** Resolves an accelerator field, with the `price.<plan>` and efficiency shorthands. */
export function resolveAcceleratorPath(given: string): Resolution {
  if (IDENTITY_FIELDS.includes(given))
    return {
      ok: false,
      message: `the profile's ${given} is its identity, not a parameter, and cannot be set (to model another chip, copy its profile into a --profiles folder under a new id)`,
    };
  const price = /^prices?\.(on_demand|reserved_1y|reserved_3y|spot)$/.exec(given);
  if (price) return { ok: true, path: ['prices', `@${price[1]}`, 'usd_per_chip_hour'] };
  const r = resolveFieldPath(given, ACCELERATOR_FIELDS());
  if (r.ok) return r;
  const withValue = resolveFieldPath(`${given}.value`, ACCELERATOR_FIELDS());
  return withValue.ok ? withValue : r;
}

/** A shallow copy of an object or array; anything else becomes an empty object. */
function copyOf(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) return v.slice() as unknown as Record<string, unknown>;
  return v !== null && typeof v === 'object' ? { ...(v as Record<string, unknown>) } : {};
}

/**
 * `data` with `value` at `path`, leaving `data` as it was. Only the objects on the path are
 * copied; the rest is shared, which is safe because nothing edits parsed data in place. (A
 * structuredClone of the whole document cost a sweep ~10 us at every point.) A `@plan` segment
 * in `prices` puts a new quote for that plan (made by `createQuote`) before the profile's own.
 */
export function setAt(
  data: unknown,
  path: readonly string[],
  value: unknown,
  createQuote: () => object,
): unknown {
  const root = copyOf(data);
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    if (key.startsWith('@') && Array.isArray(cur)) {
      const plan = key.slice(1);
      // A price set by the user is a quote of its own, first: editing a profile's quote in place
      // would keep that quote's provider, source and estimate range for a number it never had.
      const list = cur as unknown as Record<string, unknown>[];
      const quote: Record<string, unknown> = { ...createQuote(), plan };
      list.unshift(quote);
      cur = quote;
      continue;
    }
    const next = cur[key];
    const created =
      next === undefined || next === null || typeof next !== 'object'
        ? path[i + 1]?.startsWith('@')
          ? []
          : {}
        : copyOf(next);
    cur[key] = created;
    cur = created as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
  return root;
}
