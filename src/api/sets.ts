import { parse as parseYamlValue } from 'yaml';
import { UsageError } from '../io/errors.js';
import type { FieldSet } from '../io/workload.js';
import { resolveAcceleratorPath, resolveFieldPath, WORKLOAD_FIELDS } from '../schema/paths.js';

/** The value part of `path=value`, read as YAML so `4000` is a number and `[1,2]` a list. */
export function parseValue(text: string): unknown {
  try {
    return parseYamlValue(text);
  } catch {
    return text;
  }
}

/**
 * Parses `--set path=value`: a path starting with an accelerator id changes that profile
 * (`maia-200.price.on_demand=9.5`); anything else is a workload field (`input_tokens=4000`).
 */
export function parseFieldSet(text: string, acceleratorIds: readonly string[], flag = '--set'): FieldSet {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} ${text}: expected path=value`);
  const given = text.slice(0, eq).trim();
  return fieldSetFor(given, parseValue(text.slice(eq + 1).trim()), text, acceleratorIds, flag);
}

/** The field a set changes (its profile's id, if any, and its path): two sets of one key collide. */
export function fieldKey(f: FieldSet): string {
  return `${f.acceleratorId ?? ''}:${f.path.join('.')}`;
}

/** Every `--set`, in order; a second value for one field would win silently, so it is refused. */
export function parseFieldSets(texts: readonly string[], acceleratorIds: readonly string[]): FieldSet[] {
  const sets = texts.map((t) => parseFieldSet(t, acceleratorIds));
  sets.forEach((f, i) => {
    const twin = sets.slice(0, i).find((g) => fieldKey(g) === fieldKey(f));
    if (twin)
      throw new UsageError(
        `--set ${f.text}: the field is already set (${twin.text}); give one value per field`,
      );
  });
  return sets;
}

export function fieldSetFor(
  given: string,
  value: unknown,
  text: string,
  acceleratorIds: readonly string[],
  flag: string,
): FieldSet {
  const owner = [...acceleratorIds]
    .sort((a, b) => b.length - a.length)
    .find((id) => given.startsWith(`${id}.`));
  if (owner) {
    const r = resolveAcceleratorPath(given.slice(owner.length + 1));
    if (!r.ok) throw new UsageError(`${flag} ${text}: ${r.message}`);
    return { text, flag, acceleratorId: owner, path: r.path, value };
  }
  const r = resolveFieldPath(given, WORKLOAD_FIELDS());
  if (!r.ok)
    throw new UsageError(
      `${flag} ${text}: ${r.message} (an accelerator field starts with its id, e.g. h100-sxm.memory.bandwidth_tbps)`,
    );
  return { text, flag, path: r.path, value };
}
