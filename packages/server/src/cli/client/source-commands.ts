// `periodic source status|branches|promote|validate|read|export|import|fixtures`: an element's
// Source (Git) repository from a terminal, through @periodic/sdk's `client.source(path)`; and
// `periodic promote` for a project's environments.
import { readFileSync, writeFileSync } from 'node:fs'
import { arg, type CommandContext, UsageError } from './command-context.ts'
import { formatRecord, formatTable } from './output.ts'

const BRANCHES = ['draft', 'demo', 'live']

export const sourceCommands = {
  async source(ctx: CommandContext): Promise<number> {
    const sub = arg(
      ctx,
      0,
      'subcommand (status, branches, promote, validate, read, export, import, fixtures)',
    )
    const source = ctx.client.source(arg(ctx, 1, 'element path'))
    if (sub === 'status') {
      const s = await source.status()
      ctx.print(s, () =>
        formatRecord({
          clone_url: s.clone_url,
          draft_commit: s.draft_commit,
          health: s.health,
          runs_from: s.runs_from,
          warnings: s.warnings.join('; ') || '-',
          checkout: s.checkout.join(' && '),
        }),
      )
      return 0
    }
    if (sub === 'branches') {
      const b = await source.branches()
      ctx.print(b, () => formatTable(b as never[], ['name', 'commit', 'promotes_to', 'ahead_of_next']))
      return 0
    }
    if (sub === 'promote') {
      const to = ctx.flags.to
      if (to !== 'demo' && to !== 'live') throw new UsageError('promote needs --to demo or --to live')
      const p = await source.promote(to)
      ctx.print(p, () => formatRecord({ ...p, tag: p.tag ?? '-', previous: p.previous ?? '-' }))
      return 0
    }
    if (sub === 'fixtures') {
      const r = await source.fixtures({ apply: ctx.flags.apply ?? false, ref: ctx.flags.ref })
      ctx.print(
        r,
        () =>
          formatTable(r.manifests.map((m) => ({ ...m, problems: m.problems.join('; ') || '-' })) as never[], [
            'path',
            'operation',
            'records',
            'valid',
            'problems',
          ]) +
          (r.dry_run ? 'dry run: nothing applied (--apply applies)\n' : `${r.applied} records applied\n`),
      )
      return r.valid ? 0 : 1
    }
    if (sub === 'validate') {
      const branch = ctx.flags.branch ?? 'draft'
      if (!BRANCHES.includes(branch)) throw new UsageError(`--branch must be one of ${BRANCHES.join(', ')}`)
      const v = await source.validate(branch as 'draft')
      ctx.print(v, () =>
        v.valid
          ? `${v.branch} (${v.commit.slice(0, 12)}) is valid\n`
          : formatTable(v.problems as never[], ['path', 'rule', 'message']),
      )
      return v.valid ? 0 : 1
    }
    if (sub === 'read') {
      const f = await source.read(arg(ctx, 2, 'file path'), { ref: ctx.flags.ref })
      if (ctx.flags.json) ctx.io.out(`${JSON.stringify(f, null, 2)}\n`)
      else ctx.io.out(f.encoding === 'utf8' ? f.content : Buffer.from(f.content, 'base64').toString('latin1'))
      return 0
    }
    if (sub === 'export') {
      const out = ctx.flags.output
      if (!out) throw new UsageError('export needs -o FILE (a git bundle)')
      const bytes = await source.exportBundle()
      writeFileSync(out, bytes)
      ctx.print({ written_to: out, bytes: bytes.length }, () => `${bytes.length} bytes written to ${out}\n`)
      return 0
    }
    if (sub === 'import') {
      const file = ctx.flags.file
      if (!file) throw new UsageError('import needs --file BUNDLE')
      let bytes: Buffer
      try {
        bytes = readFileSync(file)
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`)
      }
      const r = await source.importBundle(bytes, { overwrite: ctx.flags.overwrite ?? false })
      ctx.print(r, () => formatRecord({ imported: r.imported, skipped: r.skipped, errors: r.errors.length }))
      return r.errors.length ? 1 : 0
    }
    throw new UsageError(`unknown subcommand "${sub}"`)
  },

  /** `periodic promote <project> --to demo|live`: a project's environments. */
  async promote(ctx: CommandContext): Promise<number> {
    const to = ctx.flags.to
    if (to !== 'demo' && to !== 'live') throw new UsageError('promote needs --to demo or --to live')
    const p = await ctx.client
      .source(arg(ctx, 0, 'project path'))
      .promoteEnvironment(to, { message: ctx.flags.message })
    ctx.print(
      p,
      () =>
        formatRecord({
          from: p.from,
          to: p.to,
          snapshot: p.environment.snapshot,
          members: p.environment.members.length,
          missing: p.missing.length,
        }) + formatTable(p.environment.members as never[], ['path', 'element_type', 'version', 'commit']),
    )
    return 0
  },
}
