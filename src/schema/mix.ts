import { z } from 'zod';
import { once } from './common.js';

/** A traffic mix (docs/model.md section 8b): classes with their share of the output tokens. */
export const mixSchema = once(() =>
  z.strictObject({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    mix: z
      .array(
        z.strictObject({
          /** A workload file (relative to this file) or a bundled workload's name. */
          workload: z.string().min(1),
          /** This class's fraction of the output tokens; the shares sum to 1. */
          share: z.number().positive().max(1),
        }),
      )
      .min(1),
  }),
);
export type MixFile = z.infer<ReturnType<typeof mixSchema>>;

export function mixRules(m: MixFile): { path: (string | number)[]; message: string }[] {
  const total = m.mix.reduce((s, c) => s + c.share, 0);
  return Math.abs(total - 1) > 1e-6
    ? [
        {
          path: ['mix'],
          message: `shares must sum to 1 (they are fractions of the output tokens), got ${Number(total.toPrecision(6))}`,
        },
      ]
    : [];
}
