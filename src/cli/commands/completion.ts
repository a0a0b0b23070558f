// Shell completion: commands, each command's options, accelerator ids, formats and bundled
// workload names, generated from the CLI's own definition so it never falls behind it.
import type { Command } from 'commander';
import { UsageError } from '../../io/errors.js';
import { bundledWorkloadNames } from '../../io/workload.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { SCHEMAS } from './schema.js';

interface Spec {
  readonly commands: { readonly name: string; readonly options: readonly string[] }[];
  readonly accelerators: readonly string[];
  readonly workloads: readonly string[];
}

/** Values a flag takes, where they are a known set. */
const FLAG_VALUES: Record<string, readonly string[]> = {
  '--format': ['table', 'json', 'csv', 'ndjson', 'markdown', 'text', 'svg'],
  '--plan': ['on_demand', 'reserved_1y', 'reserved_3y', 'spot', 'tco'],
  '--basis': ['hyperscaler', 'neocloud', 'marketplace'],
};

function bash(s: Spec): string {
  const perCommand = s.commands.map((c) => `    ${c.name}) opts="${c.options.join(' ')}" ;;`).join('\n');
  const kinds = Object.keys(SCHEMAS).join(' ');
  const values = Object.entries(FLAG_VALUES)
    .map(([flag, vs]) => `    ${flag}) COMPREPLY=( $(compgen -W "${vs.join(' ')}" -- "$cur") ); return ;;`)
    .join('\n');
  return `# infercost completion for bash: eval "$(infercost completion bash)"
_infercost() {
  local cur prev opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${s.commands.map((c) => c.name).join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "$prev" in
    schema) COMPREPLY=( $(compgen -W "${kinds}" -- "$cur") ); return ;;
    prices) COMPREPLY=( $(compgen -W "import" -- "$cur") ); return ;;
    profiles) COMPREPLY=( $(compgen -W "show --format ${s.accelerators.join(' ')}" -- "$cur") ); return ;;
    show) COMPREPLY=( $(compgen -W "${s.accelerators.join(' ')}" -- "$cur") ); return ;;
    --accelerators|--baseline) COMPREPLY=( $(compgen -W "${s.accelerators.join(' ')}" -- "$cur") ); return ;;
${values}
  esac
  opts=""
  case "\${COMP_WORDS[1]}" in
${perCommand}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") $(compgen -W "${s.workloads.join(' ')}" -- "$cur") )
  fi
}
complete -o filenames -F _infercost infercost
`;
}

function zsh(s: Spec): string {
  return `# infercost completion for zsh: eval "$(infercost completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bash(s).split('\n').slice(1).join('\n')}`;
}

function fish(s: Spec): string {
  const lines = [
    '# infercost completion for fish: infercost completion fish | source',
    `complete -c infercost -f -n '__fish_use_subcommand' -a '${s.commands.map((c) => c.name).join(' ')}'`,
  ];
  for (const c of s.commands)
    for (const o of c.options)
      lines.push(
        `complete -c infercost -n '__fish_seen_subcommand_from ${c.name}' -l ${o.replace(/^--/, '')}`,
      );
  lines.push(
    `complete -c infercost -n '__fish_seen_subcommand_from compare check sweep report claim' -a '${s.workloads.join(' ')}'`,
    `complete -c infercost -l accelerators -l baseline -x -a '${s.accelerators.join(' ')}'`,
    `complete -c infercost -n '__fish_seen_subcommand_from schema' -x -a '${Object.keys(SCHEMAS).join(' ')}'`,
    "complete -c infercost -n '__fish_seen_subcommand_from prices' -x -a 'import'",
    `complete -c infercost -n '__fish_seen_subcommand_from profiles' -x -a 'show ${s.accelerators.join(' ')}'`,
    ...Object.entries(FLAG_VALUES).map(
      ([flag, vs]) => `complete -c infercost -l ${flag.replace(/^--/, '')} -x -a '${vs.join(' ')}'`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

export function completionCommand(ctx: Context, program: Command, shell: string): number {
  const spec: Spec = {
    commands: program.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => ({
        name: c.name(),
        // The command's own options, its subcommands' (prices import, profiles show), and the
        // global ones, which every command takes.
        options: [
          ...new Set(
            [c, ...c.commands, program]
              .flatMap((x) => x.options.flatMap((o) => (o.long && o.long !== '--version' ? [o.long] : [])))
              .concat('--help'),
          ),
        ],
      })),
    accelerators: [...ctx.catalog().accelerators.keys()].sort(),
    workloads: bundledWorkloadNames(),
  };
  const make = { bash, zsh, fish }[shell as 'bash' | 'zsh' | 'fish'];
  if (!make || !Object.hasOwn({ bash, zsh, fish }, shell))
    throw new UsageError(`completion ${shell}: expected bash, zsh or fish`);
  ctx.io.stdout(make(spec));
  return EXIT.ok;
}
