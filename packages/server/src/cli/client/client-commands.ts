// The client side of `periodic`: elements, invoke, runs, logs and build, through @periodic/sdk.
// Tables for people, --json for scripts; a failure prints its error code and exits non-zero.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { PeriodicClient, PeriodicError, type Run, type RunExpansion, type RunStatus } from '@periodic/sdk'
import { AGENTS_SPEC, agentCommands } from './agent-commands.ts'
import { resolveClientConfig } from './client-config.ts'
import {
  arg,
  type CommandContext,
  defaultIo,
  type FlagName,
  type Flags,
  type Io,
  json,
  jsonObject,
  optionsFor,
  UsageError,
} from './command-context.ts'
import { jarWsCommands } from './jar-ws-commands.ts'
import { type Cell, formatJson, formatRecord, formatTable } from './output.ts'
import { sourceCommands } from './source-commands.ts'
import { WORKFLOWS_SPEC, workflowCommands } from './workflow-commands.ts'

export const CLIENT_COMMANDS = [
  'elements',
  'invoke',
  'runs',
  'logs',
  'build',
  'jar',
  'ws',
  'source',
  'promote',
  'workflows',
  'agents',
] as const
type ClientCommand = (typeof CLIENT_COMMANDS)[number]

/** Each command's flags (besides COMMON_FLAGS) and usage lines; any other flag is refused. */
export const COMMAND_SPECS: Record<
  ClientCommand,
  { flags: readonly FlagName[]; multiple?: readonly FlagName[]; subcommands?: string[]; usage: string[] }
> = {
  elements: {
    flags: ['type', 'slug', 'spec', 'name', 'file'],
    subcommands: ['list', 'get', 'create', 'update', 'delete'],
    usage: [
      'periodic elements list <parent> | get <path> | delete <path>',
      'periodic elements create <parent> --type T --slug S [--spec JSON] [--file F] [--name N]',
      'periodic elements update <path> (--spec JSON | --file F)',
      '  --file: a workflow definition (YAML/JSON) or a python handler (inline code), read from F',
    ],
  },
  invoke: {
    flags: ['data', 'wait', 'ref'],
    usage: ['periodic invoke <path> [--data JSON] [--wait [SECONDS]] [--ref BRANCH|TAG|COMMIT]'],
  },
  runs: {
    flags: [
      'target',
      'status',
      'limit',
      'offset',
      'type',
      'trigger',
      'source',
      'triggered-by',
      'source-ref',
      'batch',
      'example',
      'example-contains',
      'from',
      'to',
      'original',
      'wait',
      'expand',
    ],
    subcommands: ['list', 'get', 'cancel', 'rerun'],
    usage: [
      'periodic runs list [--target PATH] [--status S] [--type T] [--trigger T] [--source api|cli|sdk|engine]',
      '  [--triggered-by KEY] [--source-ref REF] [--batch ID] [--example ID] [--example-contains TEXT]',
      '  [--from TIME] [--to TIME] [--limit N] [--offset N]',
      'periodic runs get <id> [--expand input,usage,execution,debug] | cancel <id> | rerun <id> [--original] [--wait [SECONDS]]',
    ],
  },
  logs: { flags: ['follow'], usage: ['periodic logs <run-id> [--follow]'] },
  build: { flags: ['force'], usage: ['periodic build <path> [--force]'] },
  jar: {
    flags: ['file', 'data', 'mode', 'format', 'domain', 'output'],
    subcommands: ['import', 'export', 'describe'],
    usage: [
      'periodic jar import <path> (--file F|- | --data JSON) [--mode merge|replace] [--format chrome|playwright|cdp]',
      'periodic jar export <path> [--domain D] [--format F] [-o FILE] | describe <path>',
    ],
  },
  source: {
    flags: ['to', 'branch', 'ref', 'output', 'file', 'overwrite', 'apply'],
    subcommands: ['status', 'branches', 'promote', 'validate', 'read', 'export', 'import', 'fixtures'],
    usage: [
      'periodic source status <path> | branches <path> | promote <path> --to demo|live | validate <path> [--branch B]',
      'periodic source read <path> <file> [--ref R] | export <path> -o FILE | import <parent> --file BUNDLE [--overwrite]',
      'periodic source fixtures <path> [--ref R] [--apply]',
    ],
  },
  promote: {
    flags: ['to', 'message'],
    usage: ['periodic promote <project> --to demo|live [--message M]   (freezes the members’ versions)'],
  },
  ws: {
    flags: ['data', 'room'],
    subcommands: ['broadcast', 'connections'],
    usage: ['periodic ws broadcast <path> --data JSON [--room R] | connections <path> [--room R]'],
  },
  workflows: WORKFLOWS_SPEC,
  agents: AGENTS_SPEC,
}

const COMMON_USAGE = 'Common flags: --json (machine output), --url URL, --key KEY, --data-dir DIR\n'

export const CLIENT_HELP = `Client commands (PERIODIC_BASE_URL, PERIODIC_API_KEY; a local server's <data-dir>/admin.key):
${Object.values(COMMAND_SPECS)
  .flatMap((c) => c.usage)
  .map((u) => `  ${u}`)
  .join('\n')}
${COMMON_USAGE}`

function commandUsage(command: ClientCommand): string {
  return `Usage:\n${COMMAND_SPECS[command].usage.map((u) => `  ${u}\n`).join('')}${COMMON_USAGE}`
}

/** The flags of argv that `command` does not take, refused before anything is sent. */
function refuseUnknownFlags(command: ClientCommand, args: string[]): void {
  const options = optionsFor(COMMAND_SPECS[command].flags, COMMAND_SPECS[command].multiple)
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true })
  const unknown = tokens.find((t) => t.kind === 'option' && !(t.name in options))
  if (unknown?.kind !== 'option') return
  const owners = CLIENT_COMMANDS.filter((c) => (COMMAND_SPECS[c].flags as string[]).includes(unknown.name))
  throw new UsageError(
    `unknown flag ${unknown.rawName}${owners.length ? ` (a flag of ${owners.map((o) => `periodic ${o}`).join(', ')})` : ''}`,
  )
}

/** Runs one client command; returns the exit code (0 ok, 1 failed run or API error, 2 usage). */
export async function runClientCommand(name: string, argv: string[], io: Io = defaultIo): Promise<number> {
  const command = name as ClientCommand
  let flags: Flags
  let positionals: string[]
  try {
    if (!COMMAND_SPECS[command]) throw new UsageError(`unknown command "${name}"`)
    // `--wait 30`: a number after --wait is its value, not a positional.
    const waitAt = argv.indexOf('--wait')
    const waitSeconds =
      waitAt >= 0 && /^\d+$/.test(argv[waitAt + 1] ?? '') ? Number(argv[waitAt + 1]) : undefined
    const args = waitSeconds === undefined ? argv : argv.filter((_, i) => i !== waitAt + 1)
    refuseUnknownFlags(command, args)
    const options = optionsFor(COMMAND_SPECS[command].flags, COMMAND_SPECS[command].multiple)
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
    flags = parsed.values as Flags
    positionals = parsed.positionals
    if (flags.help) {
      io.out(commandUsage(command))
      return 0
    }
    const config = resolveClientConfig({ url: flags.url, key: flags.key, dataDir: flags['data-dir'] })
    const client = new PeriodicClient({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey ?? '',
      headers: { 'x-periodic-client': 'cli' },
    })
    const print = (value: unknown, human: () => string) => io.out(flags.json ? formatJson(value) : human())
    const ctx: CommandContext = { client, flags, positionals, print, io, waitSeconds }
    return await COMMANDS[command](ctx)
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const usage = COMMAND_SPECS[command] ? commandUsage(command) : CLIENT_HELP
      io.err(`periodic ${name}: ${(err as Error).message}\n\n${usage}`)
      return 2
    }
    if (err instanceof PeriodicError) {
      // The SDK's message already starts with the code.
      io.err(`periodic ${name}: ${err.message}${err.requestId ? ` (request ${err.requestId})` : ''}\n`)
      return 1
    }
    throw err
  }
}

const runColumns = ['id', 'target', 'status', 'trigger', 'duration_ms', 'created_at']
const runRow = (r: Run): Record<string, Cell> => ({
  id: r.id ?? r.invocation_id,
  target: r.target,
  status: r.status,
  trigger: r.trigger,
  duration_ms: r.duration_ms,
  created_at: r.created_at,
})

/** Prints a run; a failed or cancelled one makes the exit code 1. */
const EXPANSIONS: readonly RunExpansion[] = ['input', 'usage', 'execution', 'debug']

/** `--expand a,b` (default: usage and execution — steps, tool calls and output). */
function expansions(flag: string | undefined): RunExpansion[] {
  if (flag === undefined) return ['usage', 'execution']
  const asked = flag
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
  for (const x of asked)
    if (!EXPANSIONS.includes(x as RunExpansion))
      throw new UsageError(`--expand: "${x}" is not one of ${EXPANSIONS.join(', ')}`)
  return asked as RunExpansion[]
}

function printRun(ctx: CommandContext, run: Run): number {
  ctx.print(run, () => {
    const { input: _input, ...shown } = run
    return formatRecord(shown)
  })
  return run.status === 'failed' || run.status === 'cancelled' ? 1 : 0
}

const COMMANDS: Record<ClientCommand, (ctx: CommandContext) => Promise<number>> = {
  ...jarWsCommands,
  ...sourceCommands,
  ...workflowCommands,
  ...agentCommands,
  async elements(ctx) {
    const sub = arg(ctx, 0, 'subcommand (list, get, create, update, delete)')
    const { client, flags } = ctx
    if (sub === 'list') {
      const page = await client.elements.list(arg(ctx, 1, 'parent path'))
      ctx.print(page, () =>
        formatTable(page.children as never[], ['slug', 'element_type', 'state', 'version', 'updated_at']),
      )
      return 0
    }
    if (sub === 'get') {
      const el = await client.elements.get(arg(ctx, 1, 'element path'))
      ctx.print(el, () => formatRecord(el as Record<string, unknown>))
      return 0
    }
    if (sub === 'create') {
      if (!flags.type || !flags.slug) throw new UsageError('create needs --type and --slug')
      const el = await client.elements.create(ctx.positionals[1] ?? '', {
        element_type: flags.type,
        slug: flags.slug,
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.spec || flags.file
          ? { spec: specWithFile(flags.type, flags.spec, flags.file) as never }
          : {}),
      })
      const path = [ctx.positionals[1], el.slug].filter(Boolean).join('/')
      ctx.print(el, () => `created ${path} (${el.element_type}, v${el.version})\n`)
      return 0
    }
    if (sub === 'update') {
      const type = flags.file
        ? (await client.elements.get(arg(ctx, 1, 'element path'))).element_type
        : undefined
      const spec = flags.file ? specWithFile(type, flags.spec, flags.file) : jsonObject(flags.spec, 'spec')
      if (!spec) throw new UsageError('update needs --spec or --file')
      const el = await client.elements.update(arg(ctx, 1, 'element path'), { spec: spec as never })
      ctx.print(el, () => `updated ${el.slug} to v${el.version}\n`)
      return 0
    }
    if (sub === 'delete') {
      const gone = await client.elements.delete(arg(ctx, 1, 'element path'))
      ctx.print(gone, () => `deleted ${ctx.positionals[1]}\n`)
      return 0
    }
    throw new UsageError(`unknown elements subcommand "${sub}"`)
  },

  async invoke(ctx) {
    const path = arg(ctx, 0, 'element path')
    const payload = json(ctx.flags.data, 'data') ?? {}
    const wait = ctx.flags.wait ? (ctx.waitSeconds ?? 600) : undefined
    // --ref: a branch (draft, demo, live), tag (v1) or commit; default live once promoted.
    const run = await ctx.client.python(path).invoke(payload, { waitForCompletion: wait, ref: ctx.flags.ref })
    if (wait === undefined && !ctx.flags.json) {
      ctx.io.out(`${run.invocation_id ?? run.id} ${run.status}\n`)
      return 0
    }
    return printRun(ctx, run)
  },

  async runs(ctx) {
    const sub = arg(ctx, 0, 'subcommand (list, get, cancel, rerun)')
    const { client, flags } = ctx
    if (sub === 'list') {
      const count = (flag: 'limit' | 'offset', min: number) => {
        const n = flags[flag] === undefined ? undefined : Number(flags[flag])
        if (n !== undefined && !(Number.isInteger(n) && n >= min))
          throw new UsageError(`--${flag} must be an integer >= ${min}`)
        return n
      }
      const page = await client.runs.list({
        target: flags.target,
        status: flags.status as RunStatus | undefined,
        type: flags.type,
        trigger: flags.trigger,
        source: flags.source,
        triggered_by: flags['triggered-by'],
        source_ref: flags['source-ref'],
        batch_id: flags.batch,
        example_id: flags.example,
        example_id_contains: flags['example-contains'],
        from: flags.from,
        to: flags.to,
        limit: count('limit', 1),
        offset: count('offset', 0),
      })
      ctx.print(page, () => formatTable(page.runs.map(runRow), runColumns))
      return 0
    }
    const id = arg(ctx, 1, 'run id')
    if (sub === 'get') return printRun(ctx, await client.runs.get(id, { expand: expansions(flags.expand) }))
    if (sub === 'cancel') return printRun(ctx, await client.runs.cancel(id))
    if (sub === 'rerun') {
      const run = await client.rerun(id, {
        version: flags.original ? 'original' : 'latest',
        waitForCompletion: flags.wait ? (ctx.waitSeconds ?? 600) : undefined,
      })
      ctx.print(run, () => `${run.id} ${run.status} (rerun of ${id})\n`)
      return 0
    }
    throw new UsageError(`unknown runs subcommand "${sub}"`)
  },

  async logs(ctx) {
    const id = arg(ctx, 0, 'run id')
    const { client, flags } = ctx
    // Without --follow an active run's logs so far are printed: the replay comes at once, so
    // the stream is left after a short quiet spell.
    const active = !flags.follow && !isDone((await client.runs.get(id)).status)
    const abort = new AbortController()
    let quiet: NodeJS.Timeout | undefined
    const rearm = () => {
      if (!active) return
      clearTimeout(quiet)
      quiet = setTimeout(() => abort.abort(), 500)
    }
    rearm()
    let final: unknown
    try {
      for await (const e of client.runs.events(id, { signal: abort.signal })) {
        rearm()
        const data = e.data as { stream?: string; line?: string; status?: string }
        if (flags.json) ctx.io.out(`${JSON.stringify({ id: e.id, event: e.event, data: e.data })}\n`)
        else if (e.event === 'log')
          (data.stream === 'stderr' ? ctx.io.err : ctx.io.out)(`${data.line ?? ''}\n`)
        if (e.event === 'status') final = data.status
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err
    } finally {
      clearTimeout(quiet)
    }
    return final === 'failed' || final === 'cancelled' ? 1 : 0
  },

  async build(ctx) {
    const py = ctx.client.python(arg(ctx, 0, 'element path'))
    let b = await py.build({ force: !!ctx.flags.force })
    const tty = !ctx.flags.json && process.stderr.isTTY
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
    for (let i = 0; b.status === 'building'; i++) {
      const last = (b.output ?? '').trim().split('\n').pop() ?? ''
      if (tty) ctx.io.err(`\r${frames[i % frames.length]} building layer: ${last.slice(0, 70).padEnd(70)}`)
      await new Promise((r) => setTimeout(r, 250))
      b = await py.buildStatus(b.build_id)
    }
    if (tty) ctx.io.err('\r\u001b[2K')
    ctx.print(b, () =>
      b.status === 'succeeded'
        ? `layer ${b.layer_key ?? '(none: no requirements)'} ready${b.cached ? ' (cached)' : ''}${b.duration_ms !== null ? ` in ${b.duration_ms} ms` : ''}\n`
        : `build ${b.build_id} failed:\n${b.output ?? ''}\n`,
    )
    return b.status === 'succeeded' ? 0 : 1
  },
}

const isDone = (s: string) => s === 'succeeded' || s === 'failed' || s === 'cancelled'

/** The spec of --spec with the text of --file where the type keeps it (a workflow's definition, python inline code). */
function specWithFile(type: string | undefined, spec: string | undefined, file: string | undefined) {
  const base = (jsonObject(spec, 'spec') ?? {}) as Record<string, unknown>
  if (!file) return base
  const text = readFileSync(file, 'utf8')
  if (type === 'workflow') return { ...base, definition: text }
  if (type === 'python') return { ...base, source: { type: 'inline', code: text } }
  throw new UsageError(`--file is for workflow and python elements, not ${type ?? 'this type'}`)
}
