/** The exit codes, a small table (README, and every command's --help). */
export const EXIT = {
  ok: 0,
  checkFailed: 1,
  badInput: 2,
  internal: 70,
  ioError: 74,
} as const;

export const EXIT_HELP = `
Exit codes:
  0    ok
  1    a requested check failed (--expect, check, diff --fail-above), or no accelerator can run a workload
  2    bad input or usage: a file, flag or value is wrong, unreadable, or names something unknown
  70   internal error (a bug: please report it with the command you ran)
  74   output could not be written (disk full, device error); nothing partial is left behind
  130  interrupted (Ctrl-C); 143 terminated: no output file is left behind
`;
