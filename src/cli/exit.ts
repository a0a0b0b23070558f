/** The exit codes, a small table (see README). */
export const EXIT = {
  ok: 0,
  checkFailed: 1,
  badInput: 2,
  internal: 70,
} as const;
