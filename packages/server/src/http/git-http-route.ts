// Clone and fetch an element's Source over Git's smart HTTP protocol, so stock `git` works:
// `git clone http://host/git/{circle}/{element_path}.git`. Git itself answers (`git
// http-backend`, spawned per request); this route authenticates (an API key as the HTTP basic
// password, or a Bearer header), resolves the element with the same circle isolation as the API,
// and checks the scope: read to fetch, write to push. A push runs the repositories' pre-receive
// hook (source/git-hooks.ts), which asks back on a loopback-only route with a one-time token;
// apply-push.ts judges it and applies it to the element before Git moves draft. One push per
// element at a time (a lock file beside the repository, so across nodes too).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { open, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { type Readable, Transform } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../auth/actor.ts'
import type { Authenticator } from '../auth/api-keys.ts'
import { requireScope } from '../auth/require-actor.ts'
import type { ElementService } from '../elements/element-service.ts'
import { judgePush, type PushUpdate } from '../elements/source/apply-push.ts'
import { SOURCE } from '../elements/source/source-errors.ts'
import { E, PlatformError } from '../errors.ts'
import { installHooks } from '../source/git-hooks.ts'
import type { ElementRow } from '../storage/storage.ts'

export interface GitHttpDeps {
  elements: ElementService
  auth: Authenticator
}

const PRE_RECEIVE = '/internal/source/pre-receive'
const STALE_LOCK_MS = 10 * 60_000
const LOCK_WAIT_MS = 30_000
/** The largest pack a fetch negotiation or a push may send (a tree holds at most 50 MiB). */
const MAX_PACK_BYTES = 256 * 1024 * 1024

/** Passes at most `max` bytes through, then fails the stream (git sees the connection end). */
function capped(max: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length
      done(seen > max ? new Error(`more than ${max} bytes`) : null, chunk)
    },
  })
}

interface PushSession {
  actor: Actor
  element: ElementRow
}

const SERVICES = new Set(['git-upload-pack', 'git-receive-pack'])
const PACK_TYPES = ['application/x-git-upload-pack-request', 'application/x-git-receive-pack-request']

/** `/git/{circle}/{path…}.git/{rest}` → its parts, or undefined. */
export function parseGitPath(url: string): { circle: string; segments: string[]; rest: string } | undefined {
  const path = url.split('?')[0]!
  const m = /^\/git\/([^/]+)\/(.+?)\.git(\/.*)?$/.exec(path)
  if (!m) return undefined
  const segments = m[2]!.split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined
  return { circle: decodeURIComponent(m[1]!), segments: segments.map(decodeURIComponent), rest: m[3] ?? '/' }
}

/** The Authorization header as the API expects it: HTTP basic (password = key) becomes Bearer. */
function bearerOf(header: string | undefined): string | undefined {
  const basic = header && /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (!basic) return header
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return `Bearer ${colon >= 0 ? decoded.slice(colon + 1) : decoded}`
}

export function registerGitRoutes(app: FastifyInstance, deps: GitHttpDeps): void {
  const sessions = new Map<string, PushSession>()
  let hooks: Promise<string> | undefined
  const ctx: GitContext = {
    ...deps,
    sessions,
    hooksDir: () => (hooks ??= installHooks(deps.elements.source.store.root)),
  }
  app.post<{ Body: { updates?: PushUpdate[] } }>(
    PRE_RECEIVE,
    { bodyLimit: 128 * 1024 * 1024 },
    async (req) => {
      const session = sessions.get(String(req.headers['x-periodic-push-token'] ?? ''))
      if (!session || !isLoopback(req.ip)) throw new PlatformError(E.NOT_FOUND, 'no such route')
      const updates = (req.body?.updates ?? []).map((u) => ({
        ...u,
        entries: u.entries?.map((e) => ({
          ...e,
          content:
            e.content === undefined ? undefined : Buffer.from(e.content as unknown as string, 'base64'),
        })),
      }))
      const fresh = (await deps.elements.records.getElement(session.element.id)) ?? session.element
      return judgePush(deps.elements, fresh, session.actor, updates)
    },
  )
  void app.register(async (scope) => {
    // Pack requests stream through to git untouched.
    scope.addContentTypeParser(PACK_TYPES, (_req, payload, done) => done(null, payload))
    scope.route({
      method: ['GET', 'POST'],
      url: '/git/*',
      handler: async (req, reply) => {
        try {
          return await serve(ctx, req, reply)
        } catch (err) {
          // A refused pack request's body is drained, so the connection can end.
          if (req.method === 'POST') (req.body as Readable | undefined)?.resume()
          throw err
        }
      },
    })
  })
}

interface GitContext extends GitHttpDeps {
  sessions: Map<string, PushSession>
  hooksDir(): Promise<string>
}

const isLoopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1'

async function serve(deps: GitContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const parsed = parseGitPath(req.url)
  const query = new URLSearchParams(req.url.split('?')[1] ?? '')
  const service = parsed?.rest === '/info/refs' ? query.get('service') : parsed?.rest.slice(1)
  if (
    !parsed ||
    !service ||
    !SERVICES.has(service) ||
    (req.method === 'POST') === (parsed.rest === '/info/refs')
  )
    throw new PlatformError(E.NOT_FOUND, 'not a Git smart HTTP path: /git/{circle}/{element}.git/…')
  const header = bearerOf(req.headers.authorization)
  if (!header) {
    // Git asks its credential helper only after a 401 that names a scheme.
    reply.header('www-authenticate', 'Basic realm="Periodic", charset="UTF-8"')
    throw new PlatformError(E.AUTH_REQUIRED, 'use an API key of the circle as the password')
  }
  const actor = await deps.auth.authenticate(header)
  if (!actor) throw new PlatformError(E.AUTH_REQUIRED, 'use an API key of the circle as the password')
  const element = await deps.elements.resolve(actor, parsed.circle, parsed.segments)
  // Held (with backpressure) from now: nothing of the body is lost while a push waits its turn.
  const input = req.method === 'POST' ? (req.body as Readable).pipe(capped(MAX_PACK_BYTES)) : undefined
  let stop = () => {}
  input?.on('error', () => stop())
  const push = service === 'git-receive-pack'
  requireScope(actor, push ? 'write' : 'read', push ? 'git push' : 'git fetch')
  await deps.elements.source.ensure(element)
  const env: Record<string, string> = {}
  let done = async () => {}
  if (push && req.method === 'POST') {
    const lock = await pushLock(deps.elements.source.store.gitdir(element.id))
    const token = randomBytes(24).toString('base64url')
    deps.sessions.set(token, { actor, element })
    done = async () => {
      deps.sessions.delete(token)
      await lock()
    }
    const host = req.socket.localAddress?.includes(':')
      ? `[${req.socket.localAddress}]`
      : req.socket.localAddress
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: await deps.hooksDir(),
      PERIODIC_PUSH_URL: `http://${host}:${req.socket.localPort}${PRE_RECEIVE}`,
      PERIODIC_PUSH_TOKEN: token,
    })
  }
  const child = spawn('git', ['http-backend'], {
    env: {
      ...env,
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: deps.elements.source.store.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${element.id}.git${parsed.rest}`,
      REQUEST_METHOD: req.method,
      QUERY_STRING: req.url.split('?')[1] ?? '',
      CONTENT_TYPE: String(req.headers['content-type'] ?? ''),
      REMOTE_USER: actor.keyId,
      REMOTE_ADDR: req.ip,
      ...(req.headers['content-encoding']
        ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }
        : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  child.on('error', () => {})
  // An oversize pack ends git (no ref moves) and the connection.
  stop = () => {
    child.kill()
    req.raw.destroy()
  }
  child.on('close', () => void done().catch(() => {}))
  if (input) input.pipe(child.stdin)
  else child.stdin.end()
  const { status, headers, body } = await cgiResponse(child.stdout)
  reply.code(status)
  for (const [name, value] of headers) reply.header(name, value)
  return reply.send(body)
}

/**
 * Takes the element's push lock, waiting for a push in progress (which then makes this one's
 * check see draft moved: "fetch first"); a stale lock, from a crashed push, is taken over.
 * Returns its release.
 */
async function pushLock(gitdir: string): Promise<() => Promise<void>> {
  const path = join(gitdir, 'periodic-push.lock')
  for (const until = Date.now() + LOCK_WAIT_MS; Date.now() < until; ) {
    try {
      await (await open(path, 'wx')).close()
      return () => unlink(path).catch(() => {})
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs
      if (age > STALE_LOCK_MS) await unlink(path).catch(() => {})
      else await new Promise((r) => setTimeout(r, 25))
    }
  }
  throw new PlatformError(
    SOURCE.SOURCE_BUSY,
    'another push to this element is in progress; fetch and push again',
    {},
  )
}

/** Splits a CGI answer into its status, headers and the body stream that follows them. */
function cgiResponse(
  out: Readable,
): Promise<{ status: number; headers: [string, string][]; body: Readable }> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) {
        if (head.length > 64 * 1024) fail(new Error('git http-backend sent no header end'))
        return
      }
      out.off('data', onData)
      out.off('end', onEnd)
      out.pause()
      const headers: [string, string][] = []
      let status = 200
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':')
        if (colon < 0) continue
        const name = line.slice(0, colon).trim().toLowerCase()
        const value = line.slice(colon + 1).trim()
        if (name === 'status') status = Number.parseInt(value, 10) || 500
        else headers.push([name, value])
      }
      const rest = head.subarray(end + 4)
      if (rest.length) out.unshift(rest)
      resolve({ status, headers, body: out })
    }
    const onEnd = () => fail(new Error('git http-backend ended before its headers'))
    const fail = (err: Error) => {
      out.off('data', onData)
      out.off('end', onEnd)
      reject(err)
    }
    out.on('data', onData)
    out.on('end', onEnd)
  })
}
