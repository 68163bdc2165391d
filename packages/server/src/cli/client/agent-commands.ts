// `periodic agents list|get|create|update|files|versions`: the agents of a circle from a
// terminal, through @periodic/sdk's `client.agents`. `create <circle>[/<project>]` takes the
// model (--model-base-url, --model, --model-api-key), --tools a,b and the instructions from
// --file (AGENT.md); other spec fields go in --spec JSON. `files <agent> [PATH]` reads Source;
// with --file it writes PATH (deprecated: clone and push instead).
import { readFileSync } from 'node:fs'
import type {
  AgentFileContent,
  AgentFileList,
  AgentSummary,
  CreateAgentBody,
  UpdateAgentBody,
} from '@periodic/sdk'
import { AGENTS_EMAIL_FLAGS, AGENTS_EMAIL_USAGE, agentsEmailCommand } from './agent-email-commands.ts'
import { arg, type CommandContext, type FlagName, jsonObject, UsageError } from './command-context.ts'
import { formatRecord, formatTable } from './output.ts'

export const AGENTS_SPEC = {
  flags: [
    'search',
    'slug',
    'name',
    'description',
    'limit',
    'offset',
    'archived',
    'file',
    'spec',
    'model',
    'model-base-url',
    'model-api-key',
    'tools',
    'ref',
    'prefix',
    'message',
    'expected-version',
    'enable',
    'disable',
    ...AGENTS_EMAIL_FLAGS,
  ],
  multiple: [],
  subcommands: ['list', 'get', 'create', 'update', 'files', 'versions', 'email'],
  usage: [
    'periodic agents list [<circle>] [--search S] [--slug S] [--archived] [--limit N] [--offset N]',
    'periodic agents get <agent> | versions <agent>   (<agent>: acme/invoice-triage, an id or a slug)',
    'periodic agents create <circle>[/<project>] --slug S --model-base-url URL --model M [--model-api-key K]',
    '  [--tools acme/a,acme/b] [--file AGENT.md] [--name N] [--description D] [--spec JSON]',
    'periodic agents update <agent> [the create flags] [--enable|--disable] [--expected-version N] [--message M]',
    'periodic agents files <agent> [PATH] [--ref R] [--prefix P] | files <agent> PATH --file LOCAL (deprecated: git push)',
    AGENTS_EMAIL_USAGE,
  ],
} satisfies { flags: FlagName[]; multiple: FlagName[]; subcommands: string[]; usage: string[] }

const LIST_COLUMNS = ['path', 'model', 'tools', 'version', 'enabled', 'summary']

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`)
  }
}

const integer = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v)) throw new UsageError(`--${flag} must be a whole number`)
  return Number(v)
}

/** The configuration the flags give (create and update share them). */
function configuration(ctx: CommandContext): Record<string, unknown> {
  const { flags } = ctx
  const model: Record<string, unknown> = {}
  if (flags['model-base-url'] !== undefined) model['base_url'] = flags['model-base-url']
  if (flags.model !== undefined) model['model'] = flags.model
  if (flags['model-api-key'] !== undefined) model['api_key'] = flags['model-api-key']
  const extra = jsonObject(flags.spec, 'spec') ?? {}
  const body: Record<string, unknown> = { ...extra }
  if (Object.keys(model).length) body['model'] = { ...(extra['model'] as object | undefined), ...model }
  if (flags.tools !== undefined)
    body['tools'] = flags.tools
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
  if (flags.file !== undefined) body['instructions'] = readText(flags.file)
  if (flags.name !== undefined) body['name'] = flags.name
  if (flags.description !== undefined) body['description'] = flags.description
  return body
}

const row = (a: AgentSummary) => ({
  path: a.path,
  model: a.model.model,
  tools: a.tools.length,
  version: a.version,
  enabled: a.enabled,
  summary: a.summary,
})

export const agentCommands = {
  async agents(ctx: CommandContext): Promise<number> {
    const sub = arg(ctx, 0, 'subcommand (list, get, create, update, files, versions, email)')
    const { client, flags } = ctx
    const agents = client.agents
    if (sub === 'email') return agentsEmailCommand(ctx)
    if (sub === 'list') {
      const page = await agents.list({
        circle: ctx.positionals[1],
        search: flags.search,
        slug: flags.slug,
        includeArchived: flags.archived,
        limit: integer(flags.limit, 'limit'),
        offset: integer(flags.offset, 'offset'),
      })
      ctx.print(page, () => formatTable(page.agents.map(row), LIST_COLUMNS))
      return 0
    }
    if (sub === 'create') {
      const where = arg(ctx, 1, 'circle (or circle/project) to create the agent in')
      const [circle, ...project] = where.split('/').filter(Boolean)
      if (!flags.slug) throw new UsageError('missing --slug')
      const body = configuration(ctx)
      const model = body['model'] as Record<string, unknown> | undefined
      if (!model?.['base_url'] || !model['model'])
        throw new UsageError('missing --model-base-url and --model')
      const a = await agents.create({
        ...body,
        slug: flags.slug,
        circle,
        ...(project.length ? { parent: project.join('/') } : {}),
      } as CreateAgentBody)
      if (!flags.json)
        ctx.io.out(`created ${a.path} (version ${a.version}); clone: periodic source status ${a.path}\n`)
      else ctx.print(a, () => '')
      return 0
    }
    const agent = arg(ctx, 1, 'agent (a path such as acme/invoice-triage, an id or a slug)')
    if (sub === 'get') {
      const a = await agents.get(agent, { includeFiles: true })
      ctx.print(a, () => {
        const { instructions: _i, files, ...shown } = a
        return formatRecord({ ...shown, files: files?.map((f) => f.path).join(', ') })
      })
      return 0
    }
    if (sub === 'update') {
      if (flags.enable && flags.disable) throw new UsageError('--enable or --disable, not both')
      const body: Record<string, unknown> = { ...configuration(ctx) }
      if (flags.enable || flags.disable) body['enabled'] = Boolean(flags.enable)
      const expected = integer(flags['expected-version'], 'expected-version')
      if (expected !== undefined) body['expected_version'] = expected
      if (flags.message !== undefined) body['message'] = flags.message
      if (Object.keys(body).length === 0) throw new UsageError('nothing to update')
      const a = await agents.update(agent, body as UpdateAgentBody)
      if (!flags.json) ctx.io.out(`updated ${a.path} (version ${a.version})\n`)
      else ctx.print(a, () => '')
      return 0
    }
    if (sub === 'files') {
      const path = ctx.positionals[2]
      if (flags.file !== undefined) {
        if (!path)
          throw new UsageError('name the file to write: periodic agents files <agent> PATH --file LOCAL')
        const w = await agents.putFile(agent, path, readText(flags.file), { message: flags.message })
        if (!flags.json)
          ctx.io.out(`wrote ${path} to draft (${w.commit.slice(0, 12)}, version ${w.agent.version})\n`)
        else ctx.print(w, () => '')
        return 0
      }
      if (path) {
        const f = (await agents.listFiles(agent, { path, ref: flags.ref })) as AgentFileContent
        ctx.print(f, () => f.content)
        return 0
      }
      const list = (await agents.listFiles(agent, { ref: flags.ref, prefix: flags.prefix })) as AgentFileList
      ctx.print(list, () => formatTable(list.files, ['path', 'size']))
      return 0
    }
    if (sub === 'versions') {
      const v = await agents.versions(agent)
      ctx.print(v, () =>
        formatTable(
          v.versions.map((x) => ({ ...x, tags: x.tags.join(',') || '-', current: x.current ? '*' : '' })),
          ['version', 'tags', 'ref', 'model', 'created_at', 'message', 'current'],
        ),
      )
      return 0
    }
    throw new UsageError(`unknown subcommand "${sub}"`)
  },
}
