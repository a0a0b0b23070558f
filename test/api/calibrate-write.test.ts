// `calibrate --all` writes only what it fitted: a profile's `default_stack` and `stacks`, spliced
// into the original text. Hand-written sources (long URLs, notes, comments, flow lists) stay byte
// for byte: an earlier writer re-serialised the whole file and folded URLs mid-word.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stacksProfileText } from '../../src/api/calibrate.js';
import type { StackCalibration } from '../../src/fidelity/cv.js';

const LONG_URL = `https://example.com/${'a'.repeat(120)}.html`;

const ORIGINAL = `id: chip
# a comment the author wrote
interconnect:
  torus_dims: [4, 4]
sources:
  memory.capacity_gib:
    kind: vendor-spec
    source: "${LONG_URL}"
default_stack: old
stacks:
  old:
    level: pooled
    efficiency: { eta_mem: 0.5, eta_prefill: 0.5, eta_decode: 0.5, eta_link: 0.5, t_step0_ms: 1 }
    rows: 0
    interval_pct: { low: -50, high: 50 }
calibration:
  rows: [ x ]
  method: single-chip fit
tail: kept
`;

const ENTRY: StackCalibration = {
  stack: 'trtllm',
  level: 'pair',
  efficiency: { etaMem: 0.8, etaPrefill: 0.7, etaDecode: 0.4, etaLink: 0.5, tStep0S: 0.0115 },
  fitted: ['etaMem', 'tStep0S'],
  ids: ['row-a', 'row-b'],
  // exp(-0.1) - 1 = -9.516%, exp(0.2) - 1 = +22.14%: written to 3 significant digits, -9.52 and 22.1
  intervalLog: [-0.1, 0.2],
  cv: { rows: 2, medianAbsErrorPct: 12.345 },
};

describe('calibrate --all writes stacks only', () => {
  it('replaces default_stack and stacks, drops calibration, keeps every other byte', () => {
    const out = stacksProfileText(ORIGINAL, [ENTRY]);
    const untouched = ORIGINAL.slice(0, ORIGINAL.indexOf('default_stack:'));
    expect(out.startsWith(untouched)).toBe(true);
    expect(out).toContain(`    source: "${LONG_URL}"\n`);
    expect(out.endsWith('tail: kept\n')).toBe(true);
    const doc = parse(out);
    expect(doc.default_stack).toBe('trtllm');
    expect(Object.keys(doc.stacks)).toEqual(['trtllm']);
    expect(doc.stacks.trtllm).toEqual({
      level: 'pair',
      // t_step0 in the file is ms: 0.0115 s = 11.5 ms
      efficiency: { eta_mem: 0.8, eta_prefill: 0.7, eta_decode: 0.4, eta_link: 0.5, t_step0_ms: 11.5 },
      fitted: ['eta_mem', 't_step0_ms'],
      fitted_on: ['row-a', 'row-b'],
      rows: 2,
      interval_pct: { low: -9.52, high: 22.1 },
      cv: { rows: 2, median_abs_error_pct: 12.3 },
    });
    expect(doc.calibration).toBeUndefined();
    expect(doc.interconnect.torus_dims).toEqual([4, 4]);
    expect(out).toContain('torus_dims: [4, 4]\n');
  });

  it('appends default_stack and stacks to a profile that has neither', () => {
    const bare = 'id: chip\nname: Chip # trailing comment';
    const out = stacksProfileText(bare, [ENTRY]);
    expect(out.startsWith(`${bare}\n`)).toBe(true);
    const doc = parse(out);
    expect(doc.name).toBe('Chip');
    expect(doc.default_stack).toBe('trtllm');
    expect(doc.stacks.trtllm.rows).toBe(2);
  });

  it('writing twice gives the same text', () => {
    const once = stacksProfileText(ORIGINAL, [ENTRY]);
    expect(stacksProfileText(once, [ENTRY])).toBe(once);
  });
});
