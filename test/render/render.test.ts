// Renderers on a fixed result: every format is derived from the same JSON document.
import { describe, expect, it } from 'vitest';
import { footnotes } from '../../src/render/columns.js';
import { csvField, csvLine } from '../../src/render/csv.js';
import { RENDERERS } from '../../src/render/index.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { sanitizeLine } from '../../src/render/text.js';
import type { AcceleratorResult } from '../../src/schema/result.js';
import { runCli } from '../helpers/cli.js';

describe('CSV fields (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks; leaves numbers bare; empties null', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvLine(['a', 1, true, null])).toBe('a,1,true,\r\n');
    // A run of numbers is printed by one JSON.stringify: non-finite ones still come out empty.
    expect(csvLine([1.5, Number.NaN, 'x', Number.POSITIVE_INFINITY, 2, -0])).toBe('1.5,,x,,2,0\r\n');
  });
});

describe('a message line for stderr', () => {
  it('keeps a line of up to 1,000 characters; cuts a longer one in its middle, keeping 700 + 250', () => {
    const fits = `${'a'.repeat(980)}; did you mean b?`; // 997 characters
    expect(sanitizeLine(fits)).toBe(fits);
    // A quoted 5,000-character value: the place before it and the hint after it both stay.
    const huge = `file.csv:2:3 name: ${'x'.repeat(5000)}; did you mean y?`;
    const cut = sanitizeLine(huge);
    expect(cut).toBe(`${huge.slice(0, 700)} ... ${huge.slice(-250)}`);
    expect(cut.length).toBe(700 + 5 + 250);
    expect(cut.endsWith('; did you mean y?')).toBe(true);
  });
});

describe('footnote marks', () => {
  it("list a row's notes in ascending order, whatever order its warnings come in", () => {
    const row = (...messages: string[]) =>
      ({ warnings: messages.map((message) => ({ code: 'X', message })) }) as unknown as AcceleratorResult;
    // Notes are numbered as first met: a 1, b 2, c 3. The second row carries c, a, b.
    const { notes, marks } = footnotes([row('a', 'b'), row('c'), row('c', 'a', 'b')]);
    expect(notes).toEqual(['a', 'b', 'c']);
    expect(marks).toEqual([['1', '2'], ['3'], ['1', '2', '3']]);
    // Past nine, numerically: 10 after 2, not before it.
    const many = 'abcdefghij'.split('');
    expect(footnotes([row(...many), row('j', 'b')]).marks[1]).toEqual(['2', '10']);
  });
});

describe('every format renders the same document', async () => {
  const doc = JSON.parse(
    (await runCli(['compare', 'profiles/workloads/rag.yaml', '--format', 'json'])).stdout,
  );
  const ids: string[] = doc.results[0].accelerators.map((a: { id: string }) => a.id);

  it('each format names every accelerator, and none prints NaN or Infinity', () => {
    for (const [name, render] of Object.entries(RENDERERS)) {
      const text = render(doc, { color: false, ranges: true });
      for (const id of ids) expect(text, `${name} ${id}`).toContain(id);
      expect(text, name).not.toMatch(/NaN|Infinity/);
    }
  });

  it('Markdown escapes pipes in cells and bolds the best value of each column', () => {
    const withPipe = structuredClone(doc);
    withPipe.results[0].accelerators[0].warnings = [{ code: 'X', message: 'a | b' }];
    const md = renderMarkdown(withPipe, { color: false, ranges: false });
    expect(md).toContain('a \\| b');
    expect(md.match(/\*\*/g)?.length ?? 0).toBeGreaterThanOrEqual(2 * 8);
  });

  it('table colour is all or nothing', () => {
    expect(RENDERERS.table(doc, { color: false, ranges: true })).not.toContain('\u001b[');
    expect(RENDERERS.table(doc, { color: true, ranges: true })).toContain('\u001b[');
  });

  it('the legend names the green best values only where there is colour to show them', () => {
    const plain = RENDERERS.table(doc, { color: false, ranges: true });
    expect(plain).not.toContain('in green');
    expect(plain).toContain('Costs carried by output tokens');
    expect(RENDERERS.table(doc, { color: true, ranges: true })).toContain('Best value per column in green.');
  });
});

describe('sweep rows', () => {
  it('flatRow gives the cells csvRow reads from the full result, for every bundled workload and chip', async () => {
    const { loadCatalog } = await import('../../src/io/catalog.js');
    const { acceleratorFor, loadWorkload } = await import('../../src/io/workload.js');
    const { readYamlFile } = await import('../../src/io/yaml.js');
    const { compareAccelerators } = await import('../../src/engine/evaluate.js');
    const { acceleratorResult, flatRow } = await import('../../src/render/result.js');
    const { csvRow } = await import('../../src/render/csv.js');
    const catalog = loadCatalog([]);
    let compared = 0;
    for (const name of ['chat', 'rag', 'summarization', 'agentic-coding']) {
      const w = loadWorkload(
        readYamlFile(`profiles/workloads/${name}.yaml`),
        catalog,
        [],
        '2026-11-23',
      ).workload;
      const chips = [...catalog.accelerators.keys()].map((id) =>
        acceleratorFor(catalog, id, [], '2026-11-23'),
      );
      for (const c of compareAccelerators(w, chips, 'h100-sxm', { ranges: false }).evaluations) {
        expect(flatRow(c, w.name, 'h100-sxm')).toEqual(csvRow(w.name, 'h100-sxm', acceleratorResult(c, [])));
        compared += 1;
      }
    }
    expect(compared).toBe(4 * 15); // four workloads x (fourteen bundled chips + the trainium2-instance form)
  });
});
