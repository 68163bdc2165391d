// `periodic jar import|export|describe` and `periodic ws broadcast|connections`: the cookie-jar
// and websocket elements from a terminal, through @periodic/sdk.
import { readFileSync, writeFileSync } from 'node:fs'
import type { CookieFormat } from '@periodic/sdk'
import { arg, type CommandContext, json, UsageError } from './command-context.ts'
import { formatRecord, formatTable } from './output.ts'

const FORMATS = ['chrome', 'playwright', 'cdp']

function format(ctx: CommandContext): CookieFormat | undefined {
  const f = ctx.flags.format
  if (f !== undefined && !FORMATS.includes(f))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`)
  return f as CookieFormat | undefined
}

/** Cookies from --file (`-` reads stdin) or --data: an array, or an object with a `cookies` array. */
function cookiesFrom(ctx: CommandContext): unknown[] {
  const { file, data } = ctx.flags
  if ((file === undefined) === (data === undefined))
    throw new UsageError('import needs one of --file or --data')
  let text = data
  if (file !== undefined) {
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8')
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`)
    }
  }
  const parsed = json(text, file === undefined ? 'data' : 'file') as { cookies?: unknown } | unknown[]
  const cookies = Array.isArray(parsed) ? parsed : parsed?.cookies
  if (!Array.isArray(cookies))
    throw new UsageError('the cookies must be a JSON array (or {"cookies": [...]})')
  return cookies
}

export const jarWsCommands = {
  async jar(ctx: CommandContext): Promise<number> {
    const sub = arg(ctx, 0, 'subcommand (import, export, describe)')
    const jar = ctx.client.cookieJar(arg(ctx, 1, 'jar path'))
    if (sub === 'import') {
      const mode = ctx.flags.mode
      if (mode !== undefined && mode !== 'merge' && mode !== 'replace')
        throw new UsageError('--mode must be merge or replace')
      const r = await jar.import(cookiesFrom(ctx), { mode, format: format(ctx) })
      ctx.print(r, () => formatRecord(r))
      return 0
    }
    if (sub === 'export') {
      const r = await jar.export({ domain: ctx.flags.domain, format: format(ctx) })
      // Values are credentials: to a file they go with mode 0600, never into a table.
      if (ctx.flags.output !== undefined) {
        writeFileSync(ctx.flags.output, `${JSON.stringify(r.cookies, null, 2)}\n`, { mode: 0o600 })
        ctx.print(
          { ...r, cookies: undefined, written_to: ctx.flags.output },
          () => `${r.cookie_count} cookies (v${r.cookies_version}) written to ${ctx.flags.output}\n`,
        )
      } else ctx.io.out(`${JSON.stringify(ctx.flags.json ? r : r.cookies, null, 2)}\n`)
      return 0
    }
    if (sub === 'describe') {
      const d = await jar.describe()
      ctx.print(d, () => {
        const { domains, ...rest } = d
        const rows = domains ?? []
        return `${formatRecord(rest)}${rows.length ? `\n${formatTable(rows, ['domain', 'count'])}` : ''}`
      })
      return 0
    }
    throw new UsageError(`unknown jar subcommand "${sub}"`)
  },

  async ws(ctx: CommandContext): Promise<number> {
    const sub = arg(ctx, 0, 'subcommand (broadcast, connections)')
    const ws = ctx.client.websocket(arg(ctx, 1, 'websocket path'))
    const room = ctx.flags.room
    if (sub === 'broadcast') {
      if (ctx.flags.data === undefined) throw new UsageError('broadcast needs --data (the message, JSON)')
      const r = await ws.broadcast(json(ctx.flags.data, 'data'), room === undefined ? {} : { room })
      ctx.print(
        r,
        () => `delivered to ${r.delivered_to} of ${r.subscriber_count}${room ? ` in ${room}` : ''}\n`,
      )
      return 0
    }
    if (sub === 'connections') {
      const r = await ws.connections(room === undefined ? {} : { room })
      ctx.print(r, () => {
        const head = `${r['mode'] ?? 'exposed'}: ${r.connections.length} connection(s)${room ? ` in ${room}` : ''}${r['max_connections'] ? `, at most ${r['max_connections']}` : ''}\n`
        const rows = r.connections.map((c) => ({ ...c, rooms: (c.rooms ?? []).join(',') }))
        return rows.length
          ? `${head}${formatTable(rows as never[], ['connection_id', 'user', 'rooms', 'node', 'connected_at'])}`
          : head
      })
      return 0
    }
    throw new UsageError(`unknown ws subcommand "${sub}"`)
  },
}
