// The status line on stderr for long runs (issue: a progress line, TTY only): cross-validation
// fits and sweeps. A fake clock moves 1.5 s at every reading, so every update is past the first
// second and a quarter-second apart.
import { describe, expect, it } from 'vitest';
import { stepText } from '../../src/cli/progress.js';
import { runCli } from '../helpers/cli.js';

/** main() in-process, stderr a terminal or not, with a clock that moves 1.5 s at every reading. */
function run(args: string[], tty: boolean, stderrColumns?: number) {
  let t = 0;
  return runCli(args, {
    stderrIsTty: tty,
    ...(stderrColumns === undefined ? {} : { stderrColumns }),
    now: () => {
      t += 1500;
      return t;
    },
  });
}

describe('status line on stderr', () => {
  it('stepText: 3 of 12 fits in 6 s leave 9 at 2 s each, 18 s', () => {
    expect(stepText('cross-validating: fit', 3, 12, 6000)).toBe('cross-validating: fit 3/12 (25%), ETA 18s');
    expect(stepText('x', 0, 0, 0)).toBe('x 0/0 (0%), ETA 0s');
  });

  it('backtest --cv on a terminal draws its fits on stderr and erases them; stdout is the same as in a pipe', async () => {
    const args = ['backtest', 'data/measured/published.csv', '--cv', '--format', 'json'];
    const tty = await run(args, true);
    const pipe = await run(args, false);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toBe(pipe.stdout);
    expect(pipe.stderr).toBe('');
    // published.csv: 20 rows in 6 sources, then its 3 chips left out in turn: 9 fits.
    expect(tty.stderr).toMatch(/^\rcross-validating: fit \d+\/9 \(\d+%\), ETA \d+s {3}/);
    expect(tty.stderr.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('a status line stays within a narrow terminal: erased, a wrapped one would leave a row behind', async () => {
    const r = await run(['backtest', 'data/measured/published.csv', '--cv', '--format', 'json'], true, 40);
    const drawn = r.stderr.split('\r').filter((l) => l !== '' && !l.startsWith('\u001b'));
    expect(drawn.length).toBeGreaterThan(0);
    // 39 columns: the cursor stays on the line's row (the 40th would wrap on some terminals).
    for (const line of drawn) expect(line.length).toBeLessThanOrEqual(39);
    // 'cross-validating: fit 0/9 (0%), ETA 0s' and three spaces, 41 columns, cut at 39.
    expect(drawn[0]).toBe('cross-validating: fit 0/9 (0%), ETA 0s ');
  });

  it('backtest --cv --against counts the fits of both cross-validations', async () => {
    const r = await run(
      [
        'backtest',
        'data/measured/published.csv',
        '--cv',
        '--against',
        'per_operator_roofline=off',
        '--format',
        'json',
      ],
      true,
    );
    expect(r.code).toBe(0);
    // Two cross-validations of 6 folds and 3 chips left out each (the chips-left-out rows make the
    // band of a chip nobody measured, docs/model.md 11 unmeasured_bands): the second's third fit is
    // the 12th of 18, 66% (floored).
    expect(r.stderr).toContain('cross-validating: fit 12/18 (66%)');
    expect(r.stderr.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('sweep on a terminal (1,901 points, a line per 64 KB chunk written) shows points, rows/s and ETA, then erases the line', async () => {
    const r = await run(
      [
        'sweep',
        'profiles/workloads/chat.yaml',
        '--vary',
        'input_tokens=100..2000:1',
        '--accelerators',
        'h100-sxm',
        '--format',
        'csv',
      ],
      true,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\rsweep [\d,]+\/1,901 points \(\d+%\), [\d,]+ rows\/s, ETA \d+s {3}/);
    expect(r.stderr.endsWith('\r\u001b[2K')).toBe(true);
  });
});
