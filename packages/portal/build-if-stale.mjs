// Builds the portal when its sources are newer than its last build, as the server's bin does
// for its TypeScript: `npm start` (and `npm test`) on a fresh clone serve a current portal with
// no separate step. The build goes to a directory of its own and is renamed into place, so a
// server starting meanwhile never serves a half-written one.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const portalRoot = dirname(fileURLToPath(import.meta.url))
export const portalDist = join(portalRoot, 'dist')
const STAMP = '.source-stamp'

function newest(path) {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs)
}

function sourceStamp() {
  const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(portalRoot, p))
  // The SDK is bundled in: its build counts too.
  const sdk = join(portalRoot, '../sdk/dist')
  return String(Math.max(...inputs.map(newest), existsSync(sdk) ? newest(sdk) : 0))
}

export function portalIsStale() {
  try {
    return readFileSync(join(portalDist, STAMP), 'utf8') !== sourceStamp()
  } catch {
    return true
  }
}

/** Builds when stale; returns whether it built. `quiet` keeps Vite's report out of the log. */
export async function buildPortalIfStale({ quiet = true } = {}) {
  if (!portalIsStale()) return false
  const stamp = sourceStamp()
  const { build } = await import('vite')
  const tmp = join(portalRoot, `dist.tmp-${process.pid}-${Date.now()}`)
  await build({
    configFile: join(portalRoot, 'vite.config.ts'),
    root: portalRoot,
    build: { outDir: tmp, emptyOutDir: true },
    logLevel: quiet ? 'error' : 'info',
  })
  writeFileSync(join(tmp, STAMP), stamp)
  const old = `${portalDist}.old-${process.pid}-${Date.now()}`
  if (existsSync(portalDist)) renameSync(portalDist, old)
  try {
    renameSync(tmp, portalDist)
  } catch (err) {
    // Another process put its build in place first: keep that one.
    rmSync(tmp, { recursive: true, force: true })
    if (!existsSync(portalDist)) throw err
  }
  rmSync(old, { recursive: true, force: true })
  return true
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildPortalIfStale({ quiet: false })
  if (!built) console.log('portal: up to date')
}
