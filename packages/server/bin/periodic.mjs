#!/usr/bin/env node
// The `periodic` bin runs the TypeScript sources with no separate build step: when any file in
// src/ is newer than the bundle in dist/, it re-bundles with esbuild, then runs the bundle.
// The bundle is split (esbuild `splitting`): the entry holds the dispatcher and the client
// commands, and the server (serve, secrets, openapi, errors) is a chunk loaded only by
// `import()` when such a command runs, so `periodic --help` or `periodic runs list` never
// parse the server and its dependencies (~0.1 s instead of ~0.6 s).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entry = join(root, 'src/cli/main.ts')

function newestSource(dir) {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs)
  }
  return newest
}

function exists(file) {
  try {
    statSync(file)
    return true
  } catch {
    return false
  }
}

/** Bundles into dir/<stamp>/: built in a directory of its own, then renamed into place, so
 *  concurrent starts never run a half-written bundle (the loser of the rename uses the winner's). */
async function bundle(dir, stamp) {
  const { build } = await import('esbuild')
  const final = join(dir, stamp)
  const tmp = join(dir, `tmp-${process.pid}-${Date.now()}`)
  await build({
    entryPoints: { periodic: entry },
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    keepNames: true,
    logLevel: 'error',
  })
  try {
    renameSync(tmp, final)
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true })
    if (!exists(join(final, 'periodic.mjs'))) throw err
  }
  // Older bundles go; one a process started a minute ago may still import from is kept.
  for (const e of readdirSync(dir)) {
    const p = join(dir, e)
    const ours = /^(b\d+|tmp-|periodic\.mjs)/.test(e)
    if (ours && e !== stamp && statSync(p).mtimeMs < Date.now() - 60_000)
      rmSync(p, { recursive: true, force: true })
  }
}

async function bundlePath() {
  // Named after the newest source's mtime: a changed source means a bundle that does not exist yet.
  const stamp = `b${Math.floor(newestSource(join(root, 'src')))}`
  for (const dir of [join(root, 'dist'), join(tmpdir(), `periodic-dist-${process.getuid?.() ?? 0}`)]) {
    const outfile = join(dir, stamp, 'periodic.mjs')
    if (exists(outfile)) return outfile
    try {
      mkdirSync(dir, { recursive: true })
      await bundle(dir, stamp)
      return outfile
    } catch {
      // Not writable (e.g. a read-only install): try the next place.
    }
  }
  throw new Error('periodic: could not bundle the sources')
}

/** `serve` builds the portal first when its sources changed (packages/portal/build-if-stale.mjs). */
async function buildPortal() {
  if (process.argv[2] !== 'serve') return
  try {
    const { buildPortalIfStale } = await import('@periodic/portal/build-if-stale.mjs')
    if (await buildPortalIfStale()) console.error('periodic: portal built')
  } catch (err) {
    console.error(`periodic: the portal could not be built (${err?.message ?? err}); serving the API only`)
  }
}

await buildPortal()
const { main } = await import(pathToFileURL(await bundlePath()).href)
await main(process.argv.slice(2))
