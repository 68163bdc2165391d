// What a Python worker's sandbox is started with: its mounts and the environment worker.py and
// the code see. One place, so a pre-started generic sandbox (warm-sandboxes.ts) that is given
// its element later ends up with exactly the environment a fresh worker starts with.
import { copyFileSync, linkSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { Mount } from '../sandbox/executor.ts'
import { SANDBOX_INPUT, SANDBOX_OUTPUT } from './worker-files.ts'
import type { WorkerConfig } from './worker-types.ts'

export const SANDBOX_CODE = '/periodic/code'

/** The sandbox's mounts: the code at /periodic/code (from `codeDir`), the runtime, the layer, files. */
export function workerMounts(
  cfg: WorkerConfig,
  runtimeDir: string,
  codeDir: string,
  filesDir: string | undefined,
): Mount[] {
  const mounts: Mount[] = [
    { source: codeDir, target: SANDBOX_CODE },
    { source: runtimeDir, target: '/periodic/runtime' },
  ]
  if (cfg.layerDir) mounts.push({ source: cfg.layerDir, target: cfg.layerDir })
  for (const dir of cfg.layerPaths ?? []) mounts.push({ source: dir, target: dir })
  if (filesDir) {
    mounts.push({ source: join(filesDir, 'input'), target: SANDBOX_INPUT })
    mounts.push({ source: join(filesDir, 'output'), target: SANDBOX_OUTPUT, writable: true })
  }
  return mounts
}

/** The environment worker.py starts with (it takes its PERIODIC_* settings out before the code runs). */
export function workerEnv(
  cfg: WorkerConfig,
  sentinel: string,
  filesDir: string | undefined,
): Record<string, string> {
  // The element's own dependency layer first, then its python-layers in the order listed.
  const sysPath = [...(cfg.layerDir ? [join(cfg.layerDir, 'site-packages')] : []), ...(cfg.layerPaths ?? [])]
  return {
    ...cfg.env,
    PERIODIC_SENTINEL: sentinel,
    PERIODIC_QUIET_RUNS: cfg.executor.countsChildWrites ? '1' : '0',
    PERIODIC_CODE_FILE: `${SANDBOX_CODE}/${cfg.entry}`,
    PERIODIC_HANDLER: cfg.handler,
    PERIODIC_SLUG: cfg.slug,
    HOME: '/tmp',
    PYTHONDONTWRITEBYTECODE: '1',
    PATH: '/usr/bin:/bin',
    ...(sysPath.length ? { PYTHONPATH: sysPath.join(':') } : {}),
    ...(filesDir ? { PERIODIC_OUTPUT_DIR: SANDBOX_OUTPUT, PERIODIC_INPUT_DIR: SANDBOX_INPUT } : {}),
  }
}

/**
 * Puts the code of `from` into `to` (an empty directory a sandbox mounts read-only): hard links,
 * so the cost does not grow with file sizes (a copy where links cannot go), symlinks as they are
 * — what a bind mount of `from` would show. fs.cp took 3–20 ms for one file on this machine.
 */
export function linkTree(from: string, to: string): void {
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const [src, dst] = [join(from, e.name), join(to, e.name)]
    if (e.isDirectory()) {
      mkdirSync(dst, { mode: 0o755 })
      linkTree(src, dst)
    } else if (e.isSymbolicLink()) symlinkSync(readlinkSync(src), dst)
    else if (e.isFile())
      try {
        linkSync(src, dst)
      } catch {
        copyFileSync(src, dst)
      }
  }
}

/**
 * Variables a process reads when it starts (the interpreter, the dynamic loader, libc's locale,
 * time zone and allocator): set in a running interpreter they would not act as they do in a
 * fresh one, so an element setting any of them never gets a pre-started sandbox.
 */
const READ_AT_START = /^(PYTHON|LD_|LC_|LANG|LANGUAGE$|TZ$|MALLOC_|GLIBC_)/

export const startsLikeFresh = (env: Record<string, string>): boolean =>
  !Object.keys(env).some((k) => READ_AT_START.test(k))
