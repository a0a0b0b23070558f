// infercost report without a browser (the Chromium test is in test/browser): the page's
// structure, a single chart as SVG, and bad input.
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

describe('infercost report', () => {
  it('one section per workload with the assumptions, the table and four charts', () => {
    const r = spawnCli(['report', 'chat', 'rag']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(r.stdout.match(/<section>/g)).toHaveLength(2);
    for (const id of ['tpd-0', 'tpw-0', 'pareto-0', 'sweep-0', 'tpd-1'])
      expect(r.stdout).toContain(`<figure id="${id}">`);
    expect(r.stdout).toContain('Price basis <b>hyperscaler</b>, plan <b>on_demand</b>');
    // Every price cell names where the quote was read (hover); h100-sxm's AWS quote is one.
    expect(r.stdout).toMatch(
      /<td title="AWS on_demand, hyperscaler, as of [0-9-]+[^"]*; source: [^"]+">6\.88 AWS<\/td>/,
    );
    expect(r.stdout).not.toMatch(/<script|<link|(src|href)="https?:|@import|url\(https?:/); // self-contained: nothing fetched
  });

  it('--format svg is one chart of one workload: two are refused, not the second dropped; no chip running is exit 1', async () => {
    const two = spawnCli(['report', 'chat', 'rag', '--format', 'svg']);
    expect([two.code, two.stdout]).toEqual([2, '']);
    expect(two.stderr).toBe(
      'infercost: --format svg draws one chart of one workload; got 2 (chat, rag): give one, or write the HTML page\n',
    );
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const w = join(dir, 'w.yaml');
    // A 1 us TPOT limit no chip meets; the name carries an escape and a bell.
    writeFileSync(
      w,
      'name: "no\\e[31mrun\\a"\nmodel: llama-3.1-8b\ninput_tokens: 1000\noutput_tokens: 100\nslo: { tpot_ms: 0.001 }\n',
    );
    const out = join(dir, 'r.html');
    const r = spawnCli(['report', w, '--accelerators', 'h100-sxm', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'no accelerator can run workload no\\x1b[31mrun\\x07: h100-sxm cannot meet SLO:',
    );
    expect(r.stderr).toContain('> 0.00100 ms');
    const html = readFileSync(out, 'utf8');
    expect(html.includes('\u0007') || html.includes('\u001b')).toBe(false);
    expect(html).toContain('no\\x1b[31mrun\\x07');
  });

  it('--set input_tokens sets the table, and the cost-vs-input-length chart still sweeps (it was exit 2 on every value)', () => {
    const r = spawnCli(['report', 'chat', '--accelerators', 'h100-sxm,b200', '--set', 'input_tokens=4000']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // the table's workload is at 4,000 in; the sweep's points are its own lengths
    expect(r.stdout).toContain('4000 in / 300 out');
    const sweep = spawnCli(
      ['report', 'chat', '--accelerators', 'h100-sxm', '--format', 'svg', '--chart', 'sweep'].concat([
        '--set',
        'input_tokens=2000',
      ]),
    );
    const plain = spawnCli([
      'report',
      'chat',
      '--accelerators',
      'h100-sxm',
      '--format',
      'svg',
      '--chart',
      'sweep',
    ]);
    expect(sweep.code).toBe(0);
    expect(sweep.stdout).toBe(plain.stdout);
  });

  it('--format svg --chart pareto writes one chart; an unknown chart is exit 2', () => {
    const svg = spawnCli(['report', 'chat', '--format', 'svg', '--chart', 'pareto']);
    expect(svg.code).toBe(0);
    expect(svg.stdout.startsWith('<svg')).toBe(true);
    const bad = spawnCli(['report', 'chat', '--format', 'svg', '--chart', 'pie']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'infercost: --chart pie: expected one of tpd, tpw, pareto, sweep\n',
    ]);
    // Without --format svg it was read and ignored: the HTML page has every chart.
    const html = spawnCli(['report', 'chat', '--chart', 'pareto']);
    expect([html.code, html.stdout, html.stderr]).toEqual([
      2,
      '',
      'infercost: --chart pareto: picks the one chart --format svg writes (the HTML page has them all)\n',
    ]);
  });

  it('an SVG with nothing to draw says why and exits 1, as the page does (it was an empty chart and exit 0)', () => {
    const none = spawnCli([
      'report',
      'chat',
      '--accelerators',
      'inferentia2',
      '--baseline',
      'inferentia2',
      '--format',
      'svg',
      // Inferentia2 runs chat at 40 ms since the thirty-eighth session's collective latency; not at 30.
      '--set',
      'slo.tpot_ms=30',
    ]);
    expect([none.code, none.stderr]).toEqual([
      1,
      'infercost: no accelerator can run workload chat: inferentia2 cannot meet SLO: TPOT 32.9 ms at batch 1 on 8 chips > 30.0 ms\n',
    ]);
    // GB200 and Maia 200 run chat, but neither has a price on the hyperscaler basis.
    const args = [
      'report',
      'chat',
      '--accelerators',
      'gb200,maia-200',
      '--baseline',
      'gb200',
      '--format',
      'svg',
    ];
    const unpriced = spawnCli([...args, '--chart', 'tpd']);
    expect([unpriced.code, unpriced.stderr]).toEqual([
      1,
      'infercost: the tpd chart of chat has nothing to draw: no chip that runs has its metric\n',
    ]);
    expect(unpriced.stdout.startsWith('<svg')).toBe(true);
    expect(spawnCli([...args, '--chart', 'tpw']).code).toBe(0);
  });
});
