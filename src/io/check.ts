import type { z } from 'zod';
import { describeIssue, type Problem } from '../schema/issues.js';
import type { RuleIssue } from '../schema/rules.js';
import { dottedPath, InputError } from './errors.js';
import type { LocatedYaml } from './yaml.js';

function located(y: LocatedYaml, p: Problem): { line: number; col: number; problem: Problem } {
  return { ...y.locate(p.path, p.atKey ?? false), problem: p };
}

function raise(y: LocatedYaml, problems: readonly Problem[]): never {
  // Report the problem that comes first in the file: one clear line, the one a reader meets first.
  // An unknown key usually explains a "missing" field beside it (a typo), so it goes first.
  const sorted = problems
    .map((p) => located(y, p))
    .sort((a, b) => Number(!a.problem.atKey) - Number(!b.problem.atKey) || a.line - b.line || a.col - b.col);
  const first = sorted[0];
  if (!first) throw new InputError(y.file, 1, 1, '', 'invalid input');
  throw new InputError(y.file, first.line, first.col, dottedPath(first.problem.path), first.problem.message);
}

/** Validates parsed YAML against a schema, then its semantic rules; throws a located InputError. */
export function checkAgainst<T>(
  y: LocatedYaml,
  schema: z.ZodType<T>,
  rules: (value: T) => readonly RuleIssue[],
): T {
  const result = schema.safeParse(y.data);
  if (!result.success) {
    raise(
      y,
      result.error.issues.flatMap((i) => describeIssue(i, y.data, schema)),
    );
  }
  const ruleIssues = rules(result.data);
  if (ruleIssues.length > 0) raise(y, ruleIssues);
  return result.data;
}
