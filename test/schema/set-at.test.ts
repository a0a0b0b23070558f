import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setAt } from '../../src/schema/paths.js';

const quote = () => ({ usd_per_chip_hour: 9, provider: 'command line' });

describe('setAt: the value at the path, the input untouched', () => {
  it('sets a nested field and copies only the objects on the path', () => {
    const data = { slo: { tpot_ms: 50, ttft_ms: 2000 }, model: { layers: 80 }, input_tokens: 1000 };
    const out = setAt(data, ['slo', 'tpot_ms'], 25, quote) as typeof data;
    expect(out).toEqual({ slo: { tpot_ms: 25, ttft_ms: 2000 }, model: { layers: 80 }, input_tokens: 1000 });
    expect(data.slo.tpot_ms).toBe(50);
    expect(out.slo).not.toBe(data.slo);
    // Off the path, shared: nothing edits parsed data in place.
    expect(out.model).toBe(data.model);
  });

  it('creates missing objects and puts a @plan quote first without touching the original list', () => {
    const data = { prices: [{ plan: 'on_demand', usd_per_chip_hour: 3 }] };
    const out = setAt(data, ['prices', '@spot', 'usd_per_chip_hour'], 1.5, quote) as {
      prices: Record<string, unknown>[];
    };
    expect(out.prices).toHaveLength(2);
    expect(out.prices[0]).toEqual({ usd_per_chip_hour: 1.5, provider: 'command line', plan: 'spot' });
    expect(data.prices).toHaveLength(1);
    const fresh = setAt({}, ['slo', 'tpot_ms'], 10, quote);
    expect(fresh).toEqual({ slo: { tpot_ms: 10 } });
  });

  it('never changes its input (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), json),
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 4 }),
        json,
        (data, path, value) => {
          const before = JSON.stringify(data);
          const out = setAt(data, path, value, quote);
          expect(JSON.stringify(data)).toBe(before);
          let cur: unknown = out;
          for (const key of path) cur = (cur as Record<string, unknown>)[key];
          expect(cur).toEqual(value);
        },
      ),
    );
  });
});
