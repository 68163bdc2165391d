// `periodic completion bash|zsh`: a completion script for commands, subcommands and each
// command's own flags, generated from the same tables that parse them so it cannot drift.
// zsh runs the bash function through bashcompinit.
import { CONFIG_OPTIONS } from '../config-options.ts'
import { CLIENT_COMMANDS, COMMAND_SPECS } from './client/client-commands.ts'
import { COMMON_FLAGS } from './client/command-context.ts'

export const COMPLETION_SHELLS = ['bash', 'zsh'] as const

export function completionScript(shell: (typeof COMPLETION_SHELLS)[number]): string {
  const serveFlags = Object.keys(CONFIG_OPTIONS).map((f) => `--${f}`)
  const words: Record<string, string[]> = {
    serve: [...serveFlags, '--help'],
    secrets: ['status', 'rotate', '--retire', ...serveFlags],
    openapi: ['--out'],
    errors: ['--out'],
    completion: [...COMPLETION_SHELLS],
  }
  for (const c of CLIENT_COMMANDS) {
    const spec = COMMAND_SPECS[c]
    words[c] = [...(spec.subcommands ?? []), ...[...spec.flags, ...COMMON_FLAGS].map((f) => `--${f}`)]
  }
  const cases = Object.entries(words)
    .map(([c, w]) => `    ${c}) words="${w.join(' ')}" ;;`)
    .join('\n')
  const bash = `_periodic() {
  local cur=\${COMP_WORDS[COMP_CWORD]} words
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${[...Object.keys(words), 'help', '--help'].join(' ')}" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _periodic periodic
`
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bash}` : bash
}
