// element.source: an element's Source (Git) repository — files at any ref, branches, status,
// promotion draft → demo → live, releases, validation, repair, and bundles. Every typed element
// handle has one (`client.python('acme/hello').source`), and `client.source(path)` for any element.

import { callOperation } from './call-operation.ts'
import { elementUrl } from './element-paths.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'

export type SourceBranch = 'draft' | 'demo' | 'live'

export interface SourceFile {
  path: string
  ref: string
  commit: string
  exists: boolean
  size: number
  encoding: 'utf8' | 'base64'
  content: string
}

export interface SourceBranchInfo {
  name: SourceBranch
  commit: string | null
  promotes_to?: SourceBranch
  ahead_of_next?: number | null
}

export interface SourceStatus {
  clone_url: string
  checkout: string[]
  draft_commit: string
  branches: SourceBranchInfo[]
  health: 'ok' | 'diverged'
  warnings: string[]
  runs_from: 'draft' | 'live'
  auth: string
}

export interface Promotion {
  from: SourceBranch
  to: SourceBranch
  commit: string
  previous: string | null
  commits: number
  /** The release tag a promotion to live made (`v1`, `v2` …), else null. */
  tag: string | null
}

export interface SourceProblem {
  path: string
  rule: string
  message: string
}

export interface BundleImport {
  imported: number
  skipped: number
  errors: Array<{ slug: string; path?: string; code: string; message: string }>
  warnings?: Array<{ slug: string; path: string; message: string }>
  elements?: Array<{ slug: string; path: string; id: string; action: string }>
}

/** A project environment's frozen member versions (`promote` on a project). */
export interface EnvironmentSnapshot {
  snapshot: number
  from: string
  promoted_at: string
  promoted_by: string
  members: Array<{ element_id: string; path: string; element_type: string; version: number; commit: string }>
}

export interface FixturesReport {
  dry_run: boolean
  ref: string
  commit: string
  valid: boolean
  applied: number
  manifests: Array<{ path: string; operation: string; records: number; valid: boolean; problems: string[] }>
}

export class SourceHandle {
  constructor(
    private readonly transport: HttpTransport,
    readonly path: string,
  ) {}

  private call<T>(
    operation: string,
    input?: unknown,
    options: RequestOptions & { method?: 'GET' | 'POST' } = {},
  ) {
    return callOperation<T>(this.transport, this.path, operation, input, options)
  }

  /** A file of the tree at `ref` (default draft); `exists: false` and empty content when absent. */
  read(path: string, options: RequestOptions & { ref?: string } = {}): Promise<SourceFile> {
    const { ref, ...request } = options
    return this.call('source', { path, ...(ref ? { ref } : {}) }, { ...request, method: 'GET' })
  }

  status(options: RequestOptions = {}): Promise<SourceStatus> {
    return this.call('source/status', undefined, options)
  }

  async branches(options: RequestOptions = {}): Promise<SourceBranchInfo[]> {
    return (await this.call<{ branches: SourceBranchInfo[] }>('source/branches', undefined, options)).branches
  }

  /** draft → demo, or demo → live (fast-forward only: 409 SOURCE_NOT_FAST_FORWARD otherwise). */
  promote(to: 'demo' | 'live', options: RequestOptions = {}): Promise<Promotion> {
    return this.call('source/promote', { to }, options)
  }

  /** Release tags, newest first. */
  async versions(options: RequestOptions = {}): Promise<Array<{ version: string; commit: string }>> {
    return (
      await this.call<{ versions: Array<{ version: string; commit: string }> }>(
        'source/versions',
        undefined,
        options,
      )
    ).versions
  }

  validate(
    branch: SourceBranch = 'draft',
    options: RequestOptions = {},
  ): Promise<{ branch: string; commit: string; valid: boolean; problems: SourceProblem[] }> {
    return this.call('source/validate', { branch }, options)
  }

  /**
   * Where draft and the element disagree; `dryRun: false` commits the element's state. On a
   * project it also re-derives its members' environment refs; on a circle it sweeps
   * repositories a crash left without an element (`orphans`).
   */
  repair(
    dryRun = true,
    options: RequestOptions = {},
  ): Promise<{
    dry_run: boolean
    healthy: boolean
    differs: string[]
    draft_commit: string
    environments?: { differences: unknown[]; missing: Array<{ element_id: string; path: string }> }
    orphans?: string[]
  }> {
    return this.call('source/repair', { dry_run: dryRun }, options)
  }

  /** Projects: freeze the members' drafts into demo, or make demo live (admin scope). */
  promoteEnvironment(
    to: 'demo' | 'live',
    options: RequestOptions & { message?: string } = {},
  ): Promise<{
    from: string
    to: string
    version: number
    environment: EnvironmentSnapshot
    missing: unknown[]
  }> {
    const { message, ...request } = options
    return this.call('promote', { to, ...(message ? { message } : {}) }, request)
  }

  /** Data elements: the seed fixtures under `.periodic/fixtures/`; applied only with `confirm`. */
  fixtures(options: RequestOptions & { apply?: boolean; ref?: string } = {}): Promise<FixturesReport> {
    const { apply, ref, ...request } = options
    return this.call(
      'source/fixtures',
      { dry_run: !apply, confirm: apply ?? false, ...(ref ? { ref } : {}) },
      request,
    )
  }

  /** The element's `git bundle` (on a circle: use `call('export/bundle')` for the JSON envelope). */
  async exportBundle(options: RequestOptions = {}): Promise<Uint8Array> {
    const response = await this.transport.open({
      ...options,
      method: 'GET',
      path: elementUrl(this.path, 'export/bundle'),
      headers: { accept: '*/*', ...options.headers },
    })
    return new Uint8Array(await response.arrayBuffer())
  }

  /** Imports bundles below this circle or project (new ids; existing slugs skipped unless overwrite). */
  importBundle(
    bundle: Uint8Array,
    options: RequestOptions & { overwrite?: boolean } = {},
  ): Promise<BundleImport> {
    const { overwrite, ...request } = options
    const bundle_base64 = btoa(Array.from(bundle, (b) => String.fromCharCode(b)).join(''))
    return this.call('import/bundle', { bundle_base64, overwrite: overwrite ?? false }, request)
  }
}
