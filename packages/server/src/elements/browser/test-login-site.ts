// A tiny site on 127.0.0.1 for the browser tests: /login sets cookies with the attributes real
// sites use, /logout clears the session cookie, /account answers only to a live session.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'

export interface LoginSite {
  url: string
  /** Session ids the server currently honours. */
  sessions: Map<string, string>
  /** The Cookie and User-Agent headers of every request, by path, in order. */
  seen: Array<{ path: string; cookie: string; ua: string }>
  close(): Promise<void>
}

function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim()
  }
  return out
}

const page = (title: string, body = '') => `<!doctype html><title>${title}</title><p>${body}</p>`

export async function startLoginSite(): Promise<LoginSite> {
  const sessions = new Map<string, string>()
  const seen: LoginSite['seen'] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    seen.push({ path: url.pathname, cookie: req.headers.cookie ?? '', ua: req.headers['user-agent'] ?? '' })
    const cookies = parseCookies(req)
    res.setHeader('content-type', 'text/html')
    if (url.pathname === '/login') {
      const user = url.searchParams.get('user') ?? 'alice'
      const sid = randomBytes(16).toString('hex')
      sessions.set(sid, user)
      const inAnHour = new Date(Date.now() + 3600_000).toUTCString()
      res.setHeader('set-cookie', [
        `session=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600`,
        `prefs=theme-dark; Path=/; SameSite=Strict; Expires=${inAnHour}`,
        `consent=yes; Path=/; Secure; SameSite=None; Max-Age=86400`,
        'csrf=token-abc; Path=/', // a session cookie without SameSite: `unspecified`
        'scoped=1; Path=/account; HttpOnly',
      ])
      res.end(page('Logged in', user))
      return
    }
    if (url.pathname === '/logout') {
      const sid = cookies['session']
      if (sid) sessions.delete(sid)
      res.setHeader('set-cookie', 'session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0')
      res.end(page('Logged out'))
      return
    }
    if (url.pathname === '/account') {
      const user = sessions.get(cookies['session'] ?? '')
      res.statusCode = user ? 200 : 401
      res.end(page(user ? `Account of ${user}` : 'Login required'))
      return
    }
    if (url.pathname === '/slow') {
      // Never answers: for navigation timeouts.
      return
    }
    res.end(page('Home'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
