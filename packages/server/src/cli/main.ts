// The `periodic` command: a thin dispatcher. The client commands and the help are imported
// here; the server (serve, secrets, openapi, errors) only by import() when such a command
// runs, which the bin's split bundle keeps lazy — `periodic --help` and `periodic runs list`
// never load Fastify, Kysely or the element runtimes.
import { parseArgs } from 'node:util'
import { CONFIG_OPTIONS } from '../config-options.ts'
import { SECRETS_HELP } from '../secrets/secrets-help.ts'
import { CLIENT_COMMANDS, CLIENT_HELP, runClientCommand } from './client/client-commands.ts'
import { COMPLETION_SHELLS, completionScript } from './completion.ts'

const USAGE = `Usage:
  periodic serve [options]       serve the platform (default command)
  periodic openapi [--out FILE]  print or write the OpenAPI document
  periodic errors [--out FILE]   print or write the error catalogue (docs/errors.md)
  periodic completion bash|zsh   print a shell completion script:
                                 source <(periodic completion bash)   # in ~/.bashrc or ~/.zshrc
`

const SERVE_HELP = `Options of serve (flag, environment variable, default):
${Object.entries(CONFIG_OPTIONS)
  .map(([k, o]) => `  --${k.padEnd(12)} ${o.env.padEnd(20)} ${o.default.padEnd(12)} ${o.help}`)
  .join('\n')}
  PERIODIC_ADMIN_KEY   bootstrap admin key (generated into <data-dir>/admin.key when unset)
  PERIODIC_MASTER_KEY  master key(s) for secrets at rest, "id:base64[,id:base64]" (first is current)
                       or one base64 key; unset: generated into <data-dir>/master-keys.json (0600)
  DATABASE_URL         postgres:// URL: use PostgreSQL instead of embedded SQLite
  REDIS_URL            redis:// URL: WebSocket fan-out, presence and driven-link locks across nodes
  PERIODIC_REDIS_PREFIX  prefix of Redis keys and channels (default periodic:)
`

const HELP = `periodic — self-hosted platform of composable elements

${USAGE}
${SERVE_HELP}
${SECRETS_HELP}
${CLIENT_HELP}`

const isHelp = (a: string) => a === '--help' || a === '-h'

function usageError(message: string, usage: string): void {
  process.stderr.write(`periodic: ${message}\n\n${usage}`)
  process.exitCode = 2
}

export async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv
  if (command === 'help' || isHelp(command)) {
    process.stdout.write(HELP)
    return
  }
  if ((CLIENT_COMMANDS as readonly string[]).includes(command)) {
    process.exitCode = await runClientCommand(command, rest)
    // fetch keeps the connection alive after the last response (~0.1-0.2 s measured before the
    // process ends): a finished command exits once its output is written.
    await Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', r))))
    process.exit()
  }
  if (command === 'completion') {
    const shell = rest[0] as (typeof COMPLETION_SHELLS)[number]
    if (rest.length !== 1 || !COMPLETION_SHELLS.includes(shell))
      return usageError(`completion: name one shell, ${COMPLETION_SHELLS.join(' or ')}`, USAGE)
    process.stdout.write(completionScript(shell))
    return
  }
  const server = () => import('./server-commands.ts')
  if (command === 'serve' || command.startsWith('-')) {
    const args = command === 'serve' ? rest : argv
    if (args.some(isHelp)) {
      process.stdout.write(`${USAGE}\n${SERVE_HELP}`)
      return
    }
    // Unknown serve flags are refused by parseConfig (exit 2, naming the flag).
    return (await server()).runServerCommand('serve', args)
  }
  if (command === 'secrets') {
    if (rest.some(isHelp)) {
      process.stdout.write(SECRETS_HELP)
      return
    }
    return (await server()).runServerCommand('secrets', rest)
  }
  if (command === 'openapi' || command === 'errors') {
    const usage = `Usage: periodic ${command} [--out FILE]\n`
    let out: string | undefined
    try {
      const { values } = parseArgs({
        args: rest,
        options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        strict: true,
      })
      if (values.help) {
        process.stdout.write(usage)
        return
      }
      out = values.out
    } catch (err) {
      return usageError(`${command}: ${unknownFlagMessage(err)}`, usage)
    }
    return (await server()).runServerCommand(command, [], out)
  }
  usageError(`unknown command "${command}"`, HELP)
}

/** parseArgs' message, shortened to the flag it is about. */
function unknownFlagMessage(err: unknown): string {
  const e = err as { code?: string; message: string }
  const flag = /'(-[^']*)'/.exec(e.message)?.[1]
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown flag ${flag}`
  if (e.code?.startsWith('ERR_PARSE_ARGS')) return e.message
  throw err
}
