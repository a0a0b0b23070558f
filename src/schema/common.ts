import { z } from 'zod';
import { FORMAT_BITS } from '../engine/precision.js';
import { NUMBER_FORMATS, type NumberFormat } from '../engine/types.js';

/**
 * A schema built on its first use. zod builds a schema's objects as it is declared, about 0.1 ms
 * for each node; a start-up that built every format's schema paid that for all of them, so the
 * formats a command may not read (profiles, results, mixes, sweeps, fleets, measured rows, the
 * project config) are built only when read (docs/performance.md).
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/** A positive, finite number no larger than `max` (a sanity bound that catches unit slips). */
/** A decimal number as a CSV writes it (12.29, -5, 1e-3); not hex, binary, octal or Infinity, which Number() also reads. */
export const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

export const positive = (max: number) => z.number().positive().max(max);
export const nonNegative = (max: number) => z.number().min(0).max(max);
export const positiveInt = (max: number) => z.number().int().positive().max(max);

export const idSchema = once(() =>
  z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
);

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
/** A calendar date as YYYY, YYYY-MM or YYYY-MM-DD: a real month, and a day its month has. */
export const dateSchema = once(() =>
  z
    .string()
    .regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'a date as YYYY, YYYY-MM or YYYY-MM-DD')
    .refine(isCalendarDate, 'expected a day that exists in its month'),
);

/** True unless a YYYY-MM-DD names a day its month lacks (2026-02-30); shorter forms pass. */
function isCalendarDate(s: string): boolean {
  if (s.length !== 10) return true;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  // A Date rolls 2026-02-30 over into March, so only a real day reads back unchanged
  // (setUTCFullYear, unlike Date.UTC, keeps years below 100 as written).
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCDate() === d;
}

/**
 * True when a date (YYYY, YYYY-MM or YYYY-MM-DD) is later than `today` (YYYY-MM-DD) at the
 * precision it is written in: in December 2026, `2026-12` and `2026` are this month and year, not
 * the future; `2027` and `2026-12-08` are.
 */
export function isAfterToday(date: string, today: string): boolean {
  return date > today.slice(0, date.length);
}

export const SOURCE_KINDS = ['vendor-spec', 'vendor-claim', 'analysis', 'estimate'] as const;
export const sourceKindSchema = once(() => z.enum(SOURCE_KINDS));
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Where a number comes from. Estimates must say how they were derived (a rule checks `note`). */
export const sourceSchema = once(() =>
  z.strictObject({
    kind: sourceKindSchema(),
    source: z.string().min(1),
    note: z.string().min(1).optional(),
    /**
     * For an estimate: the lowest and highest values its derivation allows, in the field's unit.
     * An estimated power figure must give them; they widen the tokens/W range (docs/model.md 11).
     */
    low: z.number().nonnegative().optional(),
    high: z.number().nonnegative().optional(),
  }),
);
export type Source = z.infer<ReturnType<typeof sourceSchema>>;

export const numberFormatSchema = once(() => z.enum(NUMBER_FORMATS));

/** A format name (`fp8`) or a format with its real storage width (`{ format: fp4, bits: 4.5 }`). */
export const precisionSchema = once(() =>
  z.union([
    numberFormatSchema(),
    z
      // At least the narrowest format's 4 bits, in the published JSON Schema too (an editor
      // checks it); the upper end depends on the format, so only the check below has it.
      .strictObject({ format: numberFormatSchema(), bits: z.number().min(4).max(64) })
      .superRefine((p, ctx) => {
        const why = storageWidthProblem(p.format, p.bits);
        if (why) ctx.addIssue({ code: 'custom', path: ['bits'], message: why });
      }),
  ]),
);

/**
 * Why a stated storage width cannot be the format's, or undefined. A block-scaled format stores its
 * elements and a share of the scales' bits (NVFP4 4.5, MXFP4 4.25), and a checkpoint mixing formats
 * layer by layer states its average (fp8@7.25: FP8 with some NVFP4 layers). So a width is at least
 * the narrowest format's (4 bits) and, scales being a small share, under twice the format's own:
 * fp4@0, bf16@3 or fp8@99 read as a typo, not as a model with no weights.
 */
export function storageWidthProblem(format: NumberFormat, bits: number): string | undefined {
  const narrowest = Math.min(...Object.values(FORMAT_BITS));
  const own = FORMAT_BITS[format];
  return bits >= narrowest && bits < 2 * own
    ? undefined
    : `${format}'s width is at least ${narrowest} bits per element (a mix's average) and under ${2 * own} (twice its own, with its scales)`;
}

export type PrecisionSpec = z.infer<ReturnType<typeof precisionSchema>>;

export const modelPrecisionSchema = once(() =>
  z.strictObject({
    /** Every weight, or with `experts` given, every weight but the routed experts. */
    weights: precisionSchema(),
    /** The routed experts' format where it differs (gpt-oss: MXFP4 experts, BF16 elsewhere). */
    experts: precisionSchema().optional(),
    activations: precisionSchema(),
    kv_cache: precisionSchema(),
  }),
);

const POWER_UNITS = { W: 1, kW: 1e3, MW: 1e6, GW: 1e9, TW: 1e12 } as const;

/**
 * A power written with its unit, as parsePowerW reads it (also the JSON Schema's pattern): a
 * non-zero digit before any exponent, so "0W" fails the pattern as the tool refuses it. The
 * 10 TW cap is the tool's alone (a pattern cannot weigh units).
 */
const POWER_TEXT = /^(?=[^eE]*[1-9])\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*(W|kW|MW|GW|TW)?\s*$/;

/** The most power a budget may name: 10 TW. */
const POWER_MAX_W = 1e13;

/** Parses `1GW`, `300 MW`, `50kW`, `1TW` or `1e9` (watts) to watts; undefined when it is neither. */
export function parsePowerW(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const m = POWER_TEXT.exec(value);
  if (!m) return undefined;
  const watts = Number(m[1]) * POWER_UNITS[(m[2] ?? 'W') as keyof typeof POWER_UNITS];
  return watts > 0 && Number.isFinite(watts) ? watts : undefined;
}

/** Power with its unit (`1GW`, `300MW`) or a number of watts; converted in schema/convert.ts. */
const POWER_WORDS = 'a power such as 1GW, 300MW, 50kW or a number of watts (at most 10 TW)';
export const POWER_MESSAGE = `expected ${POWER_WORDS}`;
export const powerQuantitySchema = once(() =>
  // The number's bounds and the string's pattern are what an editor's JSON Schema sees; the
  // refinement adds what a pattern cannot say (a string's watts at most 10 TW).
  z.union([z.number().positive().max(POWER_MAX_W), z.string().regex(POWER_TEXT, POWER_WORDS)]).refine((v) => {
    const w = parsePowerW(v);
    return w !== undefined && w <= POWER_MAX_W;
  }, POWER_MESSAGE),
);
