import type { Accelerator, ComputeFormat, NumberFormat, Precision } from './types.js';

/** Storage width in bits of each format (docs/model.md section 2, "Bytes per element"). */
export const FORMAT_BITS: Readonly<Record<NumberFormat, number>> = {
  fp4: 4,
  int4: 4,
  fp6: 6,
  fp8: 8,
  int8: 8,
  bf16: 16,
  fp16: 16,
  fp32: 32,
};

export function precisionOf(format: NumberFormat, bits?: number): Precision {
  return { format, bits: bits ?? FORMAT_BITS[format] };
}

/** Bytes per element `b(p)` (section 2). */
export function bytesPerElement(p: Precision): number {
  return p.bits / 8;
}

/**
 * Matrix-unit formats to try, in order, when a chip lacks the requested one (section 2):
 * the narrowest wider one first (fp4 -> fp6 -> fp8 -> bf16 -> fp32), same-width siblings
 * before wider formats.
 */
const WIDER: Readonly<Record<NumberFormat, readonly ComputeFormat[]>> = {
  fp4: ['fp6', 'fp8', 'int8', 'bf16', 'fp16', 'fp32'],
  int4: ['int8', 'fp8', 'bf16', 'fp16', 'fp32'],
  fp6: ['fp8', 'int8', 'bf16', 'fp16', 'fp32'],
  fp8: ['bf16', 'fp16', 'fp32'],
  int8: ['fp8', 'bf16', 'fp16', 'fp32'],
  bf16: ['fp16', 'fp32'],
  fp16: ['bf16', 'fp32'],
  fp32: [],
};

/** Narrower formats from widest down: the last resort when no wider one exists. */
const NARROWER: Readonly<Record<NumberFormat, readonly ComputeFormat[]>> = {
  fp4: [],
  int4: [],
  fp6: ['fp4'],
  fp8: ['fp6', 'fp4'],
  int8: ['fp6', 'fp4'],
  bf16: ['fp8', 'int8', 'fp6', 'fp4'],
  fp16: ['fp8', 'int8', 'fp6', 'fp4'],
  fp32: ['bf16', 'fp16', 'fp8', 'int8', 'fp6', 'fp4'],
};

export interface ComputeChoice {
  /** The format the matrix unit runs. */
  readonly format: ComputeFormat;
  readonly flopsPerS: number;
  /** Set when the requested format was not available. */
  readonly fallback?: { readonly requested: NumberFormat; readonly direction: 'wider' | 'narrower' };
}

/**
 * Compute precision selection with the fallback rule (section 2). Returns undefined only
 * for a chip with no matrix-unit rate at all.
 */
export function selectComputePrecision(
  accelerator: Pick<Accelerator, 'flopsPerS'>,
  requested: NumberFormat,
): ComputeChoice | undefined {
  const direct = requested === 'int4' ? undefined : accelerator.flopsPerS[requested];
  if (direct !== undefined && requested !== 'int4') return { format: requested, flopsPerS: direct };
  for (const format of WIDER[requested]) {
    const rate = accelerator.flopsPerS[format];
    if (rate !== undefined) return { format, flopsPerS: rate, fallback: { requested, direction: 'wider' } };
  }
  for (const format of NARROWER[requested]) {
    const rate = accelerator.flopsPerS[format];
    if (rate !== undefined)
      return { format, flopsPerS: rate, fallback: { requested, direction: 'narrower' } };
  }
  return undefined;
}
