// Dependency layers: `pip install --target` into a directory keyed by the hash of the
// requirement set and the Python version, shared by every element with the same set. pip
// runs inside the sandbox (an sdist's setup.py is untrusted code too). Concurrent requests
// for one layer share one build; a finished layer is a directory lookup.
import { execFileSync } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../../config.ts'
import { PlatformError } from '../../errors.ts'
import { drainOutput } from '../../sandbox/drain-output.ts'
import type { Executor } from '../../sandbox/executor.ts'
import { requirementsOfSpec } from './requirement-lines.ts'
import { PY, type PythonSpec } from './spec.ts'

export interface Layer {
  key: string
  dir: string
}

export interface BuildRecord {
  build_id: string
  layer_key: string | null
  requirements: string[]
  status: 'building' | 'succeeded' | 'failed'
  cached: boolean
  output: string
  started_at: string
  finished_at: string | null
  duration_ms: number | null
}

const MAX_OUTPUT = 256 * 1024
/** Build records kept for build_status; the oldest are forgotten first. */
const MAX_RECORDS = 500

export class LayerBuilder {
  private readonly inflight = new Map<string, Promise<Layer>>()
  /** Builds started by the build operation, with the element that started each. */
  private readonly builds = new Map<string, { record: BuildRecord; owner: string }>()
  private pythonVersion: string | undefined
  constructor(
    private readonly config: Config,
    private readonly executor: Executor | null,
  ) {}

  requirementsOf(spec: PythonSpec): string[] {
    return requirementsOfSpec(spec)
  }

  private version(): string {
    this.pythonVersion ??= execFileSync(
      this.config.python.interpreter,
      ['-c', 'import sys; print(sys.version)'],
      { encoding: 'utf8' },
    ).trim()
    return this.pythonVersion
  }

  keyOf(requirements: string[]): string {
    return createHash('sha256')
      .update(`${this.version()}\n${requirements.join('\n')}`)
      .digest('hex')
      .slice(0, 20)
  }

  private dirOf(key: string): string {
    return join(this.config.dataDir, 'layers', key)
  }

  /** A build the element `owner` started (another element's build ids are not its to read). */
  getBuild(id: string, owner: string): BuildRecord | undefined {
    const b = this.builds.get(id)
    return b?.owner === owner ? b.record : undefined
  }

  /**
   * The built layer for these requirements (building it first if needed, told to `onBuild`);
   * undefined for none.
   */
  async ensure(
    requirements: string[],
    onBuild?: (b: { record: BuildRecord; done: Promise<Layer> }) => void,
  ): Promise<Layer | undefined> {
    if (requirements.length === 0) return undefined
    const key = this.keyOf(requirements)
    if (existsSync(join(this.dirOf(key), '.complete'))) return { key, dir: this.dirOf(key) }
    const build = this.startBuild(requirements, false)
    onBuild?.(build)
    return build.done
  }

  /**
   * Starts (or joins) a build and returns its record; `done` settles when it finishes. With an
   * `owner` (an element id) the record is kept for build_status.
   */
  startBuild(
    requirements: string[],
    force: boolean,
    owner?: string,
  ): { record: BuildRecord; done: Promise<Layer> } {
    const key = requirements.length ? this.keyOf(requirements) : null
    const record: BuildRecord = {
      build_id: randomUUID(),
      layer_key: key,
      requirements,
      status: 'building',
      cached: false,
      output: '',
      started_at: new Date().toISOString(),
      finished_at: null,
      duration_ms: null,
    }
    if (owner) {
      this.builds.set(record.build_id, { record, owner })
      if (this.builds.size > MAX_RECORDS) this.builds.delete(this.builds.keys().next().value!)
    }
    const t0 = performance.now()
    const finish = (status: BuildRecord['status'], cached: boolean) => {
      record.status = status
      record.cached = cached
      record.finished_at = new Date().toISOString()
      record.duration_ms = Math.round((performance.now() - t0) * 100) / 100
    }
    if (!key) {
      finish('succeeded', true)
      return { record, done: Promise.resolve({ key: 'none', dir: '' }) }
    }
    const dir = this.dirOf(key)
    if (!force && existsSync(join(dir, '.complete'))) {
      finish('succeeded', true)
      record.output = 'layer already built (cache hit)\n'
      return { record, done: Promise.resolve({ key, dir }) }
    }
    let done = this.inflight.get(key)
    if (!done) {
      done = this.pipInstall(key, requirements, record).finally(() => this.inflight.delete(key))
      this.inflight.set(key, done)
    } else {
      record.output = 'joined a build of the same layer already in progress\n'
    }
    done.then(
      () => finish('succeeded', false),
      (err: Error) => {
        record.output += `\n${err.message}`
        finish('failed', false)
      },
    )
    return { record, done }
  }

  private async pipInstall(key: string, requirements: string[], record: BuildRecord): Promise<Layer> {
    if (!this.executor)
      throw new PlatformError(PY.PYTHON_BUILD_FAILED, 'no sandbox executor to build layers in')
    const final = this.dirOf(key)
    const tmp = `${final}.build-${randomUUID().slice(0, 8)}`
    // pip creates site-packages itself, as the sandbox's uid (the executor hands it `tmp`).
    mkdirSync(tmp, { recursive: true })
    const args = [
      '-m',
      'pip',
      'install',
      '--no-input',
      '--disable-pip-version-check',
      '--no-cache-dir',
      '--target',
      '/periodic/layer/site-packages',
    ]
    const mounts = [{ source: tmp, target: '/periodic/layer', writable: true }]
    if (this.config.python.pipIndexUrl) args.push('--index-url', this.config.python.pipIndexUrl)
    if (this.config.python.pipFindLinks) {
      args.push('--find-links', '/periodic/find-links')
      if (!this.config.python.pipIndexUrl) args.push('--no-index')
      mounts.push({
        source: this.config.python.pipFindLinks,
        target: '/periodic/find-links',
        writable: false,
      })
    }
    args.push('--', ...requirements)
    const proc = this.executor.spawn({
      argv: [this.config.python.interpreter, ...args],
      env: { HOME: '/tmp', PATH: '/usr/bin:/bin', PIP_ROOT_USER_ACTION: 'ignore' },
      mounts,
      cwd: '/tmp',
      memoryMb: 1024,
      maxPids: 256,
      network: 'egress',
    })
    const append = (d: Buffer) => {
      if (record.output.length < MAX_OUTPUT) record.output += d.toString('utf8')
    }
    proc.stdout.on('data', append)
    proc.stderr.on('data', append)
    proc.stdin.end()
    const timer = setTimeout(() => proc.kill(), 10 * 60_000)
    const exit = await proc.exited
    clearTimeout(timer)
    await drainOutput(proc)
    if (exit.code !== 0) {
      rmSync(tmp, { recursive: true, force: true })
      throw new PlatformError(
        PY.PYTHON_BUILD_FAILED,
        `pip install failed (exit ${exit.code ?? exit.signal}): ${record.output.trim().split('\n').slice(-5).join(' | ').slice(0, 800)}`,
        {
          requirements,
        },
      )
    }
    writeFileSync(join(tmp, 'requirements.txt'), `${requirements.join('\n')}\n`)
    writeFileSync(join(tmp, '.complete'), new Date().toISOString())
    rmSync(final, { recursive: true, force: true })
    renameSync(tmp, final)
    return { key, dir: final }
  }
}
