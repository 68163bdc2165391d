// Git bundles of the Source repositories, made and read by the stock `git` CLI (the bundle format
// is Git's own; nothing here parses it). Reading a bundle's header (`list-heads`) says little: a
// truncated or corrupt pack, or missing prerequisites, show up when the bundle is fetched (which
// verifies it first), so every reader fetches, with `transfer.fsckObjects`, before it trusts
// anything in a bundle.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import isogit from 'isomorphic-git'

const run = promisify(execFile)

/** The bundle is not one `git` accepts; `reason` is git's own words (first line). */
export class BundleInvalidError extends Error {}

const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' }

async function git(gitdir: string, args: string[], maxBuffer = 1024 * 1024): Promise<Buffer> {
  const { stdout } = await run('git', ['--git-dir', gitdir, ...args], {
    env: GIT_ENV,
    encoding: 'buffer',
    maxBuffer,
  })
  return stdout
}

function reasonOf(err: unknown): string {
  const stderr = (err as { stderr?: Buffer | string }).stderr
  const text = stderr ? String(stderr) : err instanceof Error ? err.message : String(err)
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return (lines.find((l) => /^(error|fatal):/.test(l)) ?? lines[0] ?? 'git refused the bundle').slice(0, 300)
}

/** A bundle of every branch and tag of the repository at `gitdir` (whole history). */
export async function createBundle(gitdir: string, maxBytes: number): Promise<Buffer> {
  return git(gitdir, ['bundle', 'create', '-', '--branches', '--tags'], maxBytes)
}

/**
 * Bundles of many repositories (each as `createBundle` makes it), in `lanes` shell loops instead
 * of one process per repository started by the server: forking the server costs ~10 ms a time
 * (its page tables), forking a small shell well under one, which is most of a 1,000-element
 * circle export. The bundles go to files in a scratch directory, read back in order.
 */
export async function createBundles(gitdirs: string[], lanes: number, maxBytes: number): Promise<Buffer[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'periodic-export-'))
  try {
    const perLane = Math.ceil(gitdirs.length / lanes) || 1
    const script =
      'out=$1; i=$2; shift 2; for d; do git --git-dir "$d" bundle create -q "$out/$i" --branches --tags || exit 1; i=$((i+1)); done'
    const jobs = []
    for (let start = 0; start < gitdirs.length; start += perLane)
      jobs.push(
        run('sh', ['-c', script, 'sh', scratch, String(start), ...gitdirs.slice(start, start + perLane)], {
          env: GIT_ENV,
        }),
      )
    await Promise.all(jobs)
    const sizes = await Promise.all(gitdirs.map(async (_, i) => (await stat(join(scratch, String(i)))).size))
    if (sizes.reduce((a, b) => a + b, 0) > maxBytes)
      throw new RangeError(`the bundles exceed ${maxBytes} bytes`)
    return await Promise.all(gitdirs.map((_, i) => readFile(join(scratch, String(i)))))
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Creates an empty bare repository at `gitdir` with `draft` as its default branch. */
export async function initBare(gitdir: string): Promise<void> {
  await mkdir(gitdir, { recursive: true, mode: 0o700 })
  // In-process: a `git init` would cost a process per imported element.
  await isogit.init({ fs, gitdir, bare: true, defaultBranch: 'draft' })
}

/** The refs a bundle file holds (name → commit); BundleInvalidError when it is not a bundle. */
export async function bundleHeads(gitdir: string, file: string): Promise<Record<string, string>> {
  let out: Buffer
  try {
    out = await git(gitdir, ['bundle', 'list-heads', file])
  } catch (err) {
    throw new BundleInvalidError(reasonOf(err))
  }
  const heads: Record<string, string> = {}
  for (const line of String(out).split('\n')) {
    const m = /^([0-9a-f]{40}) (refs\/(?:heads|tags)\/[^\s]+)$/.exec(line.trim())
    if (m) heads[m[2]!] = m[1]!
  }
  return heads
}

/** Fetches `refspecs` (`src:dst`) of the bundle into `gitdir`, checking every object. */
export async function fetchBundle(gitdir: string, file: string, refspecs: string[]): Promise<void> {
  try {
    await git(gitdir, [
      '-c',
      'transfer.fsckObjects=true',
      'fetch',
      '-q',
      '--no-write-fetch-head',
      '--no-tags',
      file,
      ...refspecs,
    ])
  } catch (err) {
    throw new BundleInvalidError(reasonOf(err))
  }
}
