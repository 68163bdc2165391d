// `periodic workflows list|get|versions|run`: the workflows of the key's circle from a terminal,
// through @periodic/sdk's `client.workflows`. `run` takes a JSON input (--input) and file inputs
// (--file field=./path, repeatable, sent as multipart parts), --version (a release tag, branch or
// commit) and --wait [SECONDS] (run and wait: the SDK polls the runs API until the run finishes).
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { Run, WorkflowSummary } from '@periodic/sdk'
import { arg, type CommandContext, type FlagName, jsonObject, UsageError } from './command-context.ts'
import { formatRecord, formatTable } from './output.ts'

export const WORKFLOWS_SPEC = {
  flags: ['search', 'name', 'kind', 'folder', 'limit', 'definition', 'input', 'file', 'version', 'wait'],
  multiple: ['file'],
  subcommands: ['list', 'get', 'versions', 'run'],
  usage: [
    'periodic workflows list [--search S] [--name N] [--kind workflow|block] [--folder ID|null] [--limit N]',
    'periodic workflows get <workflow> [--definition] | versions <workflow> [--definition]',
    'periodic workflows run <workflow> [--input JSON] [--file field=./path ...] [--version TAG|BRANCH|COMMIT] [--wait [SECONDS]]',
  ],
} satisfies { flags: FlagName[]; multiple: FlagName[]; subcommands: string[]; usage: string[] }

const LIST_COLUMNS = ['path', 'kind', 'name', 'version', 'element_version', 'description']

/** `--file contract=./contract.pdf` (repeatable) → the input's File values. */
function fileInputs(given: unknown): Record<string, File> {
  const list = given === undefined ? [] : Array.isArray(given) ? (given as string[]) : [String(given)]
  const out: Record<string, File> = {}
  for (const spec of list) {
    const eq = spec.indexOf('=')
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--file must be field=./path (got "${spec}")`)
    const field = spec.slice(0, eq)
    const path = spec.slice(eq + 1)
    let bytes: Buffer
    try {
      bytes = readFileSync(path)
    } catch (err) {
      throw new UsageError(`cannot read ${path}: ${(err as Error).message}`)
    }
    out[field] = new File([new Uint8Array(bytes)], basename(path))
  }
  return out
}

function printRun(ctx: CommandContext, run: Run): number {
  ctx.print(run, () => {
    const { input: _input, ...shown } = run
    return formatRecord(shown)
  })
  return run.status === 'failed' || run.status === 'cancelled' ? 1 : 0
}

export const workflowCommands = {
  async workflows(ctx: CommandContext): Promise<number> {
    const sub = arg(ctx, 0, 'subcommand (list, get, versions, run)')
    const { client, flags } = ctx
    const workflows = client.workflows
    if (sub === 'list') {
      const kind = flags.kind
      if (kind !== undefined && kind !== 'workflow' && kind !== 'block')
        throw new UsageError('--kind must be workflow or block')
      const limit = flags.limit === undefined ? undefined : Number(flags.limit)
      const page = await workflows.list({
        search: flags.search,
        name: flags.name,
        kind,
        folderId: flags.folder === 'null' ? null : flags.folder,
        limit,
      })
      ctx.print(page, () => formatTable(page.workflows as WorkflowSummary[] as never[], LIST_COLUMNS))
      return 0
    }
    const workflow = arg(ctx, 1, 'workflow (a path such as acme/extract-invoice, an id or a slug)')
    if (sub === 'get') {
      const w = await workflows.get(workflow)
      ctx.print(w, () => {
        if (flags.definition) return w.definition.endsWith('\n') ? w.definition : `${w.definition}\n`
        const { definition: _d, document: _doc, input_schema, ...shown } = w
        return formatRecord({ ...shown, input_schema: input_schema ?? '-' })
      })
      return 0
    }
    if (sub === 'versions') {
      const v = await workflows.versions(workflow, { includeDefinition: flags.definition ?? false })
      ctx.print(v, () =>
        formatTable(
          v.versions.map((x) => ({
            ...x,
            tags: x.tags.join(',') || '-',
            current: x.current ? '*' : '',
          })) as never[],
          ['version', 'tags', 'ref', 'document_version', 'created_at', 'message', 'current'],
        ),
      )
      return 0
    }
    if (sub === 'run') {
      const input = { ...(jsonObject(flags.input, 'input') ?? {}), ...fileInputs(flags.file) }
      const version = flags.version
      if (flags.wait) {
        const run = await workflows.executions.runAndWait(workflow, {
          input,
          version,
          timeoutSeconds: ctx.waitSeconds ?? 600,
        })
        return printRun(ctx, run)
      }
      const run = await workflows.executions.start(workflow, { input, version })
      if (!ctx.flags.json) ctx.io.out(`run ${run.id} ${run.status}; periodic runs get ${run.id}\n`)
      else ctx.print(run, () => '')
      return 0
    }
    throw new UsageError(`unknown subcommand "${sub}"`)
  },
}
