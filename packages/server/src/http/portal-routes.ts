// The portal (packages/portal, built by Vite) at `/`: files with their gzip and brotli
// versions written at build time, hashed assets cached for a year, index.html revalidated, and
// on every portal response a strict Content-Security-Policy (no inline script, nothing
// framed, nothing fetched from elsewhere) with the older X-Frame-Options beside it.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'

export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // CodeMirror and Svelte set element styles at run time; no script can be injected through them.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS = {
  'content-security-policy': PORTAL_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
}

/** Where the built portal is: the workspace package @periodic/portal's dist/. */
export function defaultPortalDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@periodic/portal/package.json')
    return join(dirname(pkg), 'dist')
  } catch {
    return undefined
  }
}

export async function registerPortalRoutes(app: FastifyInstance, dir: string | undefined): Promise<void> {
  if (!dir || !existsSync(join(dir, 'index.html'))) {
    app.get('/', async (_req, reply) =>
      reply
        .code(503)
        .headers(SECURITY_HEADERS)
        .type('text/plain; charset=utf-8')
        .send('The portal is not built: run `npm run build -w @periodic/portal` (npm start does it).\n'),
    )
    return
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // Routes for the files there at start (the bin builds before it serves): every other path
    // stays with the API's own not-found answer.
    wildcard: false,
    index: ['index.html'],
    preCompressed: true,
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders: (reply: FastifyReply, path: string) => {
      reply.headers(SECURITY_HEADERS)
      reply.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
    },
  })
}
