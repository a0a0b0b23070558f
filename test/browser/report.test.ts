// The HTML report in a real headless Chromium (issue 15): no console errors, every chart present
// with one mark per chip, a screenshot. Needs /usr/bin/chromium (.ci/run installs Debian's).
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('infercost report in Chromium', () => {
  it('four workloads: under 2 MB, no console errors, one bar per priced chip, curves and sweep drawn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-report-'));
    const file = join(dir, 'report.html');
    const r = spawnCli(['report', 'chat', 'rag', 'summarization', 'agentic-coding', '-o', file]);
    expect([r.code, r.stderr]).toEqual([0, `wrote ${file}\n`]);
    expect(statSync(file).size).toBeLessThan(2_000_000);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${file}`);
      // chat: 14 chips, all 14 meet its limits (Inferentia2 runs it, 8 x B7 at 39.5 ms, since
      // the Neuron chips pay AWS's 132 us per all-reduce and its pair no longer hides them in a
      // low eta_mem and eta_link: 0.53 -> 0.96 and 0.026 -> 0.26), 10 of those with a hyperscaler price (gb200, maia-200, mi325x, mi355x have
      // none); tokens per joule needs no price: 14. The Pareto curves take no limit (all 14), and
      // the table lists every chip.
      expect(await page.locator('#tpd-0 .mark-rect path').count()).toBe(10);
      expect(await page.locator('#tpw-0 .mark-rect path').count()).toBe(14);
      expect(await page.locator('#pareto-0 .mark-line path').count()).toBe(14);
      expect(await page.locator('#sweep-0 .mark-line path').count()).toBeGreaterThanOrEqual(9);
      expect(await page.locator('section').count()).toBe(4);
      expect(await page.locator('section').first().locator('tbody tr').count()).toBe(14);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(dir, 'report.png') });
      expect(statSync(join(dir, 'report.png')).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
