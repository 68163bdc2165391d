// The element service: resolve, create, update, version, enable/disable and delete elements,
// recording an activity row for every write and publishing lifecycle events after commit.
import { randomUUID } from 'node:crypto'
import type { Actor } from '../auth/actor.ts'
import type { Config } from '../config.ts'
import { E, PlatformError } from '../errors.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { SecretBox } from '../secrets/secret-box.ts'
import { openSecretBox } from '../secrets/secrets-of.ts'
import type {
  ApiKeyRecords,
  ElementPatch,
  ElementReads,
  ElementRow,
  JsonObject,
  Storage,
} from '../storage/storage.ts'
import type { TypeTables } from '../storage/type-tables.ts'
import { isUniqueViolation } from '../storage/unique-violation.ts'
import type { ElementsPort, ElementTx, ElementType, PendingEvent } from './element.ts'
import { publishActivity, recordActivity } from './element-activity.ts'
import type { CreateInput, CreateOptions, UpdateInput } from './element-io.ts'
import { ElementResolver } from './element-resolver.ts'
import { type ElementJson, presentElement } from './present-element.ts'
import type { Registry } from './registry.ts'
import type { ElementSource } from './source/element-source.ts'
import { assertSafeKeys, assertValidSlug, deepClone, deepMerge, nameFromSlug } from './spec-merge.ts'
import { slugTaken, versionOf, writeVersion } from './version-records.ts'
import { assertMayWire } from './wiring-authority.ts'

const now = () => new Date().toISOString()

export class ElementService implements ElementsPort {
  private readonly resolver: ElementResolver

  constructor(
    private readonly storage: Storage,
    readonly registry: Registry,
    readonly bus: EventBus,
    /** Lets types run their slower `lint` checks after a write (absent in some tests). */
    readonly config: Config | undefined,
    /** Each element's Source repository: definition writes are commits on its draft branch. */
    readonly source: ElementSource,
  ) {
    this.resolver = new ElementResolver(storage)
  }

  get records(): ElementReads {
    return this.storage
  }

  get apiKeys(): ApiKeyRecords {
    return this.storage
  }

  /** The platform's box for secrets at rest (needs the Config main.ts builds the service with). */
  get secrets(): SecretBox {
    if (!this.config)
      throw new Error('secrets at rest need the platform config (ElementService built without it)')
    return openSecretBox(this.storage, { dataDir: this.config.dataDir, masterKey: this.config.masterKey })
  }

  storeOf<S>(tables: TypeTables<S>): S {
    return this.storage.storeOf(tables)
  }

  transaction<T>(fn: (tx: ElementTx) => Promise<T>): Promise<T> {
    return this.storage.transaction(fn)
  }

  /** Runs the type's lint (e.g. a Python syntax check) so `present` can show its warnings. */
  private async lint(row: ElementRow): Promise<void> {
    const type = this.registry.get(row.element_type)
    if (type?.lint && this.config) await type.lint(row.spec, this.config).catch(() => {})
  }

  typeOf(row: ElementRow): ElementType {
    const t = this.registry.get(row.element_type)
    if (!t)
      throw new PlatformError(
        E.UNKNOWN_ELEMENT_TYPE,
        `element type ${row.element_type} is not registered on this server`,
      )
    return t
  }

  /** Resolves `/api/{circle}/{...segments}`; intermediate segments must be ancestors, in order. */
  resolve(actor: Actor | null, circleSlug: string, segments: string[]): Promise<ElementRow> {
    return this.resolver.resolve(actor, circleSlug, segments)
  }

  /** Slugs of the ancestors below the circle, top first. */
  lineage(row: ElementRow): Promise<string[]> {
    return this.resolver.lineage(row)
  }

  /** Ancestor rows from the circle's first child down to the parent (the circle excluded). */
  ancestors(row: ElementRow): Promise<ElementRow[]> {
    return this.resolver.ancestors(row)
  }

  circleSlug(circleId: string): Promise<string> {
    return this.resolver.circleSlug(circleId)
  }

  async present(row: ElementRow): Promise<ElementJson> {
    const path = [await this.circleSlug(row.circle_id), ...(await this.lineage(row))]
    if (row.parent_id !== null) path.push(row.slug)
    return presentElement(row, this.registry.get(row.element_type), path.join('/'))
  }

  /** The type's sealSpec applied (secrets sealed under the element's data key), else `spec` itself. */
  private sealed(type: ElementType, elementId: string, spec: JsonObject): Promise<JsonObject> {
    return type.sealSpec ? type.sealSpec(spec, elementId, this) : Promise.resolve(spec)
  }

  /** Applies defaults and checks schema and "fails unless" rules; returns the spec to store. */
  prepareSpec(type: ElementType, spec: JsonObject): JsonObject {
    assertSafeKeys(spec, 'spec')
    type.preValidate?.(spec)
    const copy = deepClone(spec)
    type.validateSpec(copy)
    for (const rule of type.rules ?? []) {
      if (!rule.check(copy)) {
        throw new PlatformError(E.VALIDATION_FAILED, `spec.${rule.field}: ${rule.message}`, {
          field: `spec.${rule.field}`,
          rule: 'violation',
        })
      }
    }
    type.finalizeSpec?.(copy)
    return copy
  }

  async createCircle(input: CreateInput, actor: Actor): Promise<ElementRow> {
    return this.createElement(null, input, actor)
  }

  async create(
    parent: ElementRow,
    input: CreateInput,
    actor: Actor,
    opts: CreateOptions = {},
  ): Promise<ElementRow> {
    const parentType = this.typeOf(parent)
    if (!parentType.container) {
      throw new PlatformError(
        E.NOT_A_CONTAINER,
        `${parent.element_type} "${parent.slug}" cannot hold child elements; create under a circle or project`,
      )
    }
    if (input.element_type === 'circle') {
      throw new PlatformError(E.NOT_A_CONTAINER, 'circles are root elements: create them with POST /api')
    }
    return this.createElement(parent, input, actor, opts)
  }

  private async createElement(
    parent: ElementRow | null,
    input: CreateInput,
    actor: Actor,
    opts: CreateOptions = {},
  ): Promise<ElementRow> {
    const type = this.registry.get(input.element_type)
    if (!type) {
      throw new PlatformError(
        E.UNKNOWN_ELEMENT_TYPE,
        `unknown element_type "${input.element_type.slice(0, 80)}"`,
        {
          field: 'element_type',
          known: this.registry.list().map((t) => t.type),
        },
      )
    }
    assertValidSlug(input.slug)
    if (input.meta) assertSafeKeys(input.meta, 'meta')
    const id = opts.id ?? randomUUID()
    let spec = this.prepareSpec(type, input.spec ?? {})
    assertMayWire(type, spec, actor)
    await this.registry
      .runtimeOf(type.type)
      ?.verifyWrite?.(spec, { circleId: parent ? parent.circle_id : id, elementId: id, actor })
    // Validated before sealing, so a refused spec never creates a data key.
    if (type.sealSpec) spec = this.prepareSpec(type, await type.sealSpec(spec, id, this))
    const at = now()
    const row: ElementRow = {
      id,
      circle_id: parent ? parent.circle_id : id,
      parent_id: parent ? parent.id : null,
      slug: input.slug,
      name: input.name?.trim() || nameFromSlug(input.slug),
      element_type: type.type,
      state: type.initialState,
      state_reason: null,
      enabled: true,
      intention: input.intention ?? '',
      spec,
      meta: input.meta ?? {},
      readme: opts.readme ?? '',
      version: 1,
      created_at: at,
      updated_at: at,
      deleted_at: null,
    }
    if (type.deriveState) row.state = type.deriveState(spec, row)
    const events: PendingEvent[] = []
    try {
      await this.storage.transaction(async (tx) => {
        const taken = parent
          ? await tx.findElementBySlug(row.circle_id, row.slug)
          : await tx.findCircle(row.slug)
        if (taken) throw slugTaken(row.slug)
        await tx.insertElement(row)
        await this.source.commit(row, actor, opts.message ?? 'Created')
        await tx.insertVersion(versionOf(row, opts.message ?? 'Created', actor))
        await this.record(tx, events, 'element.created', row, actor, {
          element_type: row.element_type,
          slug: row.slug,
          version: row.version,
        })
      })
    } catch (err) {
      // The element never came to be: its data key (if sealing made one) goes too.
      if (type.sealSpec && this.config) await this.secrets.forget(id).catch(() => {})
      await this.source.store.remove(id).catch(() => {})
      if (isUniqueViolation(err)) throw slugTaken(row.slug)
      throw err
    }
    this.flush(events)
    await this.lint(row)
    return row
  }

  /** update: deep merge by default, wholesale with deep=false; always a new version. */
  async update(current: ElementRow, input: UpdateInput, actor: Actor): Promise<ElementRow> {
    const type = this.typeOf(current)
    // Checks that may wait (DNS) run before the write, on the spec as merged now.
    const runtime = this.registry.runtimeOf(type.type)
    if (runtime?.verifyWrite && input.spec !== undefined)
      await runtime.verifyWrite(
        this.prepareSpec(type, input.deep === false ? input.spec : deepMerge(current.spec, input.spec)),
        { circleId: current.circle_id, elementId: current.id, actor, current: current.spec },
      )
    // Sealed before the transaction: sealing may create the element's data key.
    const given = input.spec === undefined ? undefined : await this.sealed(type, current.id, input.spec)
    const commit = !input.fromSource
    const next = await writeVersion(
      this,
      current,
      actor,
      'element.updated',
      input.expected_version,
      commit,
      (row) => {
        const patch: ElementPatch = {}
        if (given !== undefined) {
          const merged = input.deep === false ? given : deepMerge(row.spec, given)
          patch.spec = this.prepareSpec(type, merged)
          type.guardWrite?.(row.spec, patch.spec, actor)
        }
        // The writer of each version answers for its wiring, whatever fields the update touched.
        assertMayWire(type, patch.spec ?? row.spec, actor)
        if (input.name !== undefined) patch.name = input.name.trim() || nameFromSlug(row.slug)
        if (input.intention !== undefined) patch.intention = input.intention
        if (input.readme !== undefined) patch.readme = input.readme
        return { patch, message: input.message ?? 'Updated', data: { fields: Object.keys(patch) } }
      },
    )
    await this.lint(next)
    return next
  }

  async restore(current: ElementRow, version: number, actor: Actor): Promise<ElementRow> {
    const type = this.typeOf(current)
    // A version above the current one cannot exist; checking first also keeps out-of-range
    // numbers away from the database's integer column (PostgreSQL would fail with a 500).
    const target = version <= current.version ? await this.storage.getVersion(current.id, version) : undefined
    if (!target)
      throw new PlatformError(E.VERSION_NOT_FOUND, `version ${version} of "${current.slug}" does not exist`, {
        version,
      })
    const prepared = this.prepareSpec(type, target.spec)
    assertMayWire(type, prepared, actor)
    // What the old version names may be gone or changed since (a layer deleted): checked as new.
    await this.registry.runtimeOf(type.type)?.verifyWrite?.(prepared, {
      circleId: current.circle_id,
      elementId: current.id,
      actor,
      current: current.spec,
    })
    const spec = await this.sealed(type, current.id, target.spec)
    // Snapshot first, so the state being replaced stays reachable in history.
    const snap = await writeVersion(this, current, actor, 'element.snapshot', undefined, true, () => ({
      patch: {},
      message: `Before restore to v${version}`,
      data: { restore_to: version },
    }))
    return writeVersion(this, snap, actor, 'element.restored', undefined, true, () => ({
      patch: { spec: this.prepareSpec(type, spec), name: target.name, intention: target.intention },
      message: `Restored from v${version}`,
      data: { restored_from: version },
    }))
  }

  /** Writes that do not create a version (meta, readme, enable/disable, delete). */
  async patch(
    current: ElementRow,
    patch: ElementPatch,
    actor: Actor,
    event: string,
    data: JsonObject = {},
    alsoInTx?: (tx: ElementTx) => Promise<void>,
  ): Promise<ElementRow> {
    const events: PendingEvent[] = []
    const next: ElementRow = { ...current, ...patch, updated_at: now() }
    await this.storage.transaction(async (tx) => {
      const ok = await tx.updateElement(current.id, { ...patch, updated_at: next.updated_at })
      if (!ok) throw new PlatformError(E.ELEMENT_NOT_FOUND, `element "${current.slug}" no longer exists`)
      if (patch.readme !== undefined) await this.source.commit(next, actor, 'README updated')
      await alsoInTx?.(tx)
      await this.record(tx, events, event, next, actor, data)
    })
    this.flush(events)
    return next
  }

  async softDelete(current: ElementRow, actor: Actor): Promise<ElementRow> {
    const active = await this.storage.countActiveRuns(current.id)
    if (active > 0) {
      throw new PlatformError(
        E.ELEMENT_HAS_ACTIVE_RUNS,
        `"${current.slug}" has ${active} queued or running run(s)`,
        { active_runs: active },
      )
    }
    const at = now()
    // Children are counted inside the delete's transaction, so none can slip in between.
    // Attachments end with either side, so no element keeps pointing at a deleted one.
    const dropAttachments = async (tx: ElementTx) => {
      const children = await tx.countChildren(current.id)
      if (children > 0) {
        throw new PlatformError(
          E.ELEMENT_HAS_CHILDREN,
          `"${current.slug}" has ${children} child element(s); delete them first`,
          { children },
        )
      }
      const rows = [
        ...(await tx.listAttachments({ sourceId: current.id })),
        ...(await tx.listAttachments({ targetId: current.id })),
      ]
      for (const a of rows) await tx.deleteAttachment(a.id)
    }
    const patch: ElementPatch = { state: 'deleted', deleted_at: at, enabled: false }
    return this.patch(current, patch, actor, 'element.deleted', {}, dropAttachments)
  }

  /** Records activity about an element without changing it (e.g. an API key created in a circle). */
  async note(row: ElementRow, actor: Actor, event: string, data: JsonObject): Promise<void> {
    const events: PendingEvent[] = []
    await this.record(this.storage, events, event, row, actor, data)
    this.flush(events)
  }

  /** Records an activity row inside the caller's transaction; the event goes out after commit. */
  record(
    tx: ElementTx,
    events: PendingEvent[],
    type: string,
    row: ElementRow,
    actor: Actor | null,
    data: JsonObject,
  ): Promise<void> {
    return recordActivity(tx, events, type, row, actor, data)
  }

  flush(events: PendingEvent[]): void {
    publishActivity(this.bus, events)
  }
}

export type { CreateInput, ElementJson, UpdateInput }
