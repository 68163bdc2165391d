#!/usr/bin/env node
// The `periodic` bin runs the TypeScript sources with no separate build step: when any file in
// src/ is newer than the bundle in dist/, it re-bundles with esbuild (~20 ms), then runs the
// bundle. Measured: ~0.5 s to import the bundle vs ~1.1 s through a TypeScript loader.
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs'
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

function mtime(file) {
  try {
    return statSync(file).mtimeMs
  } catch {
    return -1
  }
}

async function bundle(outfile) {
  const { build } = await import('esbuild')
  // Write beside and rename, so concurrent starts never run a half-written bundle.
  const tmp = `${outfile}.${process.pid}.tmp.mjs`
  await build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    keepNames: true,
    logLevel: 'error',
  })
  renameSync(tmp, outfile)
}

async function bundlePath() {
  const src = newestSource(join(root, 'src'))
  for (const dir of [join(root, 'dist'), join(tmpdir(), `periodic-dist-${process.getuid?.() ?? 0}`)]) {
    const outfile = join(dir, 'periodic.mjs')
    if (mtime(outfile) >= src) return outfile
    try {
      mkdirSync(dir, { recursive: true })
      await bundle(outfile)
      return outfile
    } catch {
      // Not writable (e.g. a read-only install): try the next place.
    }
  }
  throw new Error('periodic: could not bundle the sources')
}

const { main } = await import(pathToFileURL(await bundlePath()).href)
await main(process.argv.slice(2))
