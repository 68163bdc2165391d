// defineElement: how an element type declares its spec, rules, states, operations and codes.
// Everything about a type lives in its own folder; registry.ts lists the types.
import type { Server as HttpServer } from 'node:http'
import type { Static, TSchema } from '@sinclair/typebox'
import type { Registry as MetricsRegistry } from 'prom-client'
import type { Actor } from '../auth/actor.ts'
import type { Config } from '../config.ts'
import type { WatchCredential } from '../engine/credential-watch.ts'
import type { EngineClock } from '../engine/cron-triggers.ts'
import type { EngineCaller, InvokeOptions } from '../engine/engine.ts'
import type { ErrorCodeDef } from '../errors.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { ResourceBudget } from '../quotas/resource-budget.ts'
import type { QueuedRunExecutor } from '../runs/run-queue.ts'
import type { RunService } from '../runs/run-service.ts'
import type { Executor } from '../sandbox/executor.ts'
import type { SecretBox } from '../secrets/secret-box.ts'
import type {
  ApiKeyRecords,
  ElementPatch,
  ElementReads,
  ElementRecords,
  ElementRow,
  Json,
  JsonObject,
  RunRow,
} from '../storage/storage.ts'
import type { TypeStores, TypeTables } from '../storage/type-tables.ts'
import type { CreateInput, CreateOptions, ElementJson, UpdateInput } from './element-io.ts'
import type { ElementSource } from './source/element-source.ts'
import { compileSpecValidator, type SpecValidator } from './validation.ts'

export type AuthLevel = 'none' | 'read' | 'write' | 'execute' | 'admin'
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
export type ElementForm = 'atom' | 'manifest' | 'namespace'

/** What a handler can set on the HTTP reply besides its JSON body. */
export interface ReplyControl {
  status(code: number): void
  header(name: string, value: string): void
}

/** What a type's runtime is built from at start (only main.ts assembles it). */
export interface PlatformContext {
  elements: ElementsPort
  runs: RunService
  bus: EventBus
  executor: Executor | null
  config: Config
  /** The Prometheus registry /metrics serves. */
  metrics: MetricsRegistry
  log: {
    info(o: object, msg?: string): void
    warn(o: object, msg?: string): void
    error(o: object, msg?: string): void
  }
  /** Server-wide budget and per-circle quotas of workers, memory, browser sessions, runs in flight. */
  quotas: ResourceBudget
  /** Engine functions for handlers' SDK calls (the engine starts after the runtimes). */
  engine?: HandlerEngine
  /** Ends a long-lived connection when the API key behind it is revoked or its circle deleted. */
  watchCredential?: WatchCredential
  /** Time for schedules (workflow automations); tests pass the engine's manual clock. */
  clock?: EngineClock
}

export interface HandlerEngine {
  invoke(caller: EngineCaller, functionId: string, data: Json, opts: InvokeOptions): Promise<Json>
}

/** What a run records of its definition: the Source commit it ran and the ref that named it. */
export interface RunSource {
  source_commit: string
  source_ref: string
}

export interface StartRunOptions {
  /** The caller waits for the end on this node: run it here even when the node is busy. */
  waiting?: boolean
  /** The Source commit the element row carries and the ref that named it, recorded on the run. */
  source?: RunSource
  /** The run's id, chosen by the caller (a workflow step's child run; see NewRun.id). */
  runId?: string
}

/** A type's long-lived machinery (worker pools, connections), stopped at shutdown. */
export interface TypeRuntime {
  close(): Promise<void>
  /** Operations the runs API may start on this type's elements (python: `invoke`). */
  readonly runnableOperations?: readonly string[]
  /**
   * Creates a run of one of `runnableOperations` on `element` (which may carry an older
   * version's spec, for a rerun of that version) and starts it; the caller decides how long to
   * wait.
   */
  startRun?(
    element: ElementRow,
    operation: string,
    input: Json,
    trigger: string,
    triggerInfo: JsonObject | null,
    opts?: StartRunOptions,
  ): Promise<RunRow>
  /**
   * The definition a run of this type executed, when the type keeps its own record of it (e.g.
   * a snapshot taken at start); it wins over the element's spec at the run's commit or version
   * (GET /api/v1/runs/{id}/definition). Undefined: no record, use the spec. Keep secrets out.
   */
  runDefinition?(run: RunRow): Promise<Json | undefined>
  /** The steps of a run of this type (a workflow's task executions), in the order they began. */
  runSteps?(run: RunRow): Promise<JsonObject[]>
  /** How the durable run queue resumes this type's runs (see runs/run-queue.ts). */
  readonly queue?: QueuedRunExecutor
  /**
   * Checks of a spec about to be written that need the runtime (e.g. the outbound-address policy on
   * a URL, which may resolve a name, or other elements the spec names): throws a PlatformError to
   * refuse the write.
   */
  verifyWrite?(spec: JsonObject, target: WriteTarget): Promise<void>
  /** Called once with the platform's HTTP server (before it listens), for upgrade handlers. */
  attachServer?(server: HttpServer): void
  /** Sees each engine pub/sub publish once, on the node it was made on. */
  onPublished?(circleId: string, topic: string, data: Json): void
  /** Ends upgraded connections before the HTTP server stops (it waits for every socket). */
  drain?(): Promise<void>
}

/** Which element a spec is written to, and by whom (for checks that look beyond the spec). */
export interface WriteTarget {
  circleId: string
  /** The element's id (on create, the id it is about to get). */
  elementId: string
  actor: Actor
  /** The spec the element holds now (absent on create). */
  current?: JsonObject
}

/**
 * What an operation's handler gets. `Spec` and `R` are its type's (see `operationsFor`): the
 * element's spec as the type's schema declares it, and the type's runtime.
 */
export interface OperationContext<I = unknown, Spec = JsonObject, R = TypeRuntime | undefined> {
  element: ElementRow
  /** The element's spec, as validated by its type's schema on every write. */
  spec: Spec
  type: ElementType
  input: I
  /** The element's path as addressed, e.g. `acme/web/hello`. */
  elementPath: string
  /** The query string (operations with a body may still take query parameters). */
  query: Record<string, unknown>
  /** The type's runtime (always there when the type declares one). */
  runtime: R
  runs: RunService
  /** `:name` segments of the operation path, e.g. `api_keys/:id`. */
  params: Record<string, string>
  actor: Actor
  elements: ElementsPort
  requestId: string
  /** The request's headers (lower-case names), e.g. for its W3C traceparent. */
  headers: Record<string, string | string[] | undefined>
  reply: ReplyControl
}

export interface OperationDef<S extends TSchema = TSchema, Spec = JsonObject, R = TypeRuntime | undefined> {
  name: string
  method: HttpMethod
  /** Path under `/ops/`; defaults to the name. `:param` segments become `ctx.params`. */
  path?: string
  auth: AuthLevel
  summary: string
  description?: string
  /** Body schema (query-string schema for GET). */
  input?: S
  output?: TSchema
  /** The media type of binary answers the handler may return (a Buffer) instead of JSON. */
  binary?: string
  /** Generic operations stay usable while the element is disabled. */
  allowWhenDisabled?: boolean
  handler(ctx: OperationContext<Static<S>, Spec, R>): Promise<unknown>
}

/** An operation of a type with spec `Spec` and runtime `R`, its input type erased. */
export type TypedOperation<Spec = JsonObject, R = TypeRuntime | undefined> = OperationDef<TSchema, Spec, R>

/**
 * The operation definer of one element type: `ctx.input` is typed by each operation's input
 * schema, `ctx.spec` and `ctx.runtime` by the type's. A type folder declares its own, e.g.
 * `export const pythonOperation = operationsFor<PythonSpec, PythonRuntime>()`, and
 * defineElement accepts only operations of its spec and runtime.
 */
export function operationsFor<Spec, R extends TypeRuntime | undefined = undefined>() {
  return <S extends TSchema>(op: OperationDef<S, Spec, R>): TypedOperation<Spec, R> =>
    op as unknown as TypedOperation<Spec, R>
}

/** Operations of any type (the generic ones): the spec as plain JSON, any runtime. */
export const defineOperation = operationsFor<JsonObject, TypeRuntime | undefined>()

/**
 * Reads a stored element's spec as its type's schema declares it: the one place the stored JSON
 * is taken for the type, since every write validated it (for types' runtimes, which get rows).
 */
export function specReader<Spec>(type: string): (row: ElementRow) => Spec {
  return (row) => {
    if (row.element_type !== type)
      throw new Error(`element ${row.id} is a ${row.element_type}, not a ${type}`)
    return row.spec as unknown as Spec
  }
}

export interface SpecRule {
  /** The spec field the rule is about, e.g. `cookie_count`. */
  field: string
  message: string
  /** True when the spec satisfies the rule. */
  check(spec: JsonObject): boolean
}

/**
 * An element type: spec schema `S` and runtime `R` type its operations (`ctx.spec`,
 * `ctx.runtime`) and its hooks that see a validated spec.
 */
export interface ElementTypeDef<
  S extends TSchema = TSchema,
  R extends TypeRuntime | undefined = TypeRuntime | undefined,
> {
  type: string
  name: string
  description: string
  symbol: string
  category: string
  form: ElementForm
  spec: S
  /** "Fails unless …" rules: a violation refuses the write with VALIDATION_FAILED. */
  rules?: SpecRule[]
  /** Advisory rules: reported as `warnings` on the element. */
  advisories?: SpecRule[]
  states: string[]
  initialState: string
  /** Can hold child elements (circles and projects). */
  container?: boolean
  /** Attaches to other elements as a policy modifier (vs. a resource). */
  modifier?: boolean
  operations?: TypedOperation<Static<S>, R>[]
  errors?: Record<string, ErrorCodeDef>
  capabilities?: string[]
  metrics?: string[]
  events?: string[]
  /** State derived from the spec after each write (e.g. a jar is `empty` or `populated`). */
  deriveState?(spec: Static<S>, row: ElementRow): string
  /** Rewrites a validated spec before it is stored (e.g. hashing shared tokens); must be idempotent. */
  finalizeSpec?(spec: JsonObject): void
  /**
   * Seals secret fields of a spec (the caller's, possibly partial, or a version being restored)
   * under the element's data key before it is validated and stored, so no row or version holds
   * them in plaintext. Async and given the element id, which finalizeSpec has neither of.
   */
  sealSpec?(spec: JsonObject, elementId: string, elements: ElementsPort): Promise<JsonObject>
  /**
   * Slugs of the elements this spec has the platform run on the element's behalf (a websocket's
   * handlers). Writing such a spec needs the `execute` scope, and the wired elements run only
   * while the key that wrote the spec's version still holds it (see wiring-authority.ts).
   */
  wiredElements?(spec: Static<S>): string[]
  /**
   * Refuses a spec change the actor may not make although it may write (e.g. a project's live
   * environment needs the admin scope, however it is written: update, a push).
   */
  guardWrite?(previous: Static<S>, next: Static<S>, actor: Actor): void
  /** The spec as `get` shows it (a type may hide secrets or bulky fields). */
  presentSpec?(spec: Static<S>): JsonObject
  /** Checks that come before the schema (to explain a common mistake better than it can). */
  preValidate?(spec: JsonObject): void
  /** Slower checks run after a write is accepted (their findings become warnings). */
  lint?(spec: Static<S>, config: Config): Promise<void>
  /** Warnings found by `lint`, read synchronously when the element is shown. */
  lintWarnings?(spec: Static<S>): Array<{ field: string; message: string }>
  /**
   * The files this type keeps outside `.periodic/spec.yaml` in its Source tree (python: inline
   * code as `main.py`), and the spec without them. Given the spec as `presentSpec` shows it.
   */
  sourceFiles?(spec: JsonObject): { spec: JsonObject; files: Record<string, string> }
  /**
   * The inverse of `sourceFiles`: puts the files (read by path; '' when absent, undefined when
   * not UTF-8) back in; `paths` lists every file of the tree.
   */
  specFromSource?(spec: JsonObject, file: (path: string) => string | undefined, paths: string[]): JsonObject
  /**
   * Runs after each versioned write of an element of the type has committed (a derived index
   * to bring up to date). A failure is logged, never undoes the write; repair redoes it.
   */
  afterWrite?(row: ElementRow, elements: ElementsPort): Promise<void>
  /** Builds the type's runtime once at start. */
  runtime?(platform: PlatformContext): R
  /** Operations a Source fixture manifest may call (data types only; see source/fixtures). */
  fixtureOperations?: string[]
  /** The type's own tables (migrations and store), reached with `elements.storeOf(tables)`. */
  tables?: TypeTables<unknown>
}

export interface ElementType<
  S extends TSchema = TSchema,
  R extends TypeRuntime | undefined = TypeRuntime | undefined,
> extends ElementTypeDef<S, R> {
  validateSpec: SpecValidator
}

/** Declares an element type; its spec schema and runtime type its operations and hooks. */
export function defineElement<S extends TSchema, R extends TypeRuntime | undefined = undefined>(
  def: ElementTypeDef<S, R>,
): ElementType<S, R> {
  if (!def.states.includes(def.initialState)) throw new Error(`${def.type}: initial state not in states`)
  return { ...def, validateSpec: compileSpecValidator(def.type, def.spec) }
}

export function operationPath(op: OperationDef): string {
  return op.path ?? op.name
}

/** A transaction as element code sees it: element records and the stores types declare. */
export type ElementTx = ElementRecords & TypeStores

/** An activity event waiting for its transaction to commit. */
export type PendingEvent = { type: string; row: ElementRow; actor: Actor | null; data: JsonObject }

/** What operations and runtimes need from the registry of types (Registry implements it). */
export interface RegistryPort {
  get(type: string): ElementType | undefined
  list(): ElementType[]
  runtimeOf(type: string): TypeRuntime | undefined
  operationRuntime(type: ElementType): TypeRuntime | undefined
  operationsOf(type: ElementType): OperationDef[]
  isGeneric(op: OperationDef): boolean
}

/**
 * What operations and runtimes need from the element service (ElementService implements it).
 * Declared here so the types, their operations and element.ts never import element-service.ts,
 * which imports the registry of types (no import cycle).
 */
export interface ElementsPort extends TypeStores {
  /** Elements, versions, attachments and activity, read-only (writes go through this port). */
  readonly records: ElementReads
  /** The circles' API keys. */
  readonly apiKeys: ApiKeyRecords
  /** Seals and opens JSON bound to an element (secrets at rest). */
  readonly secrets: SecretBox
  /** Each element's Source (Git) repository. */
  readonly source: ElementSource
  readonly registry: RegistryPort
  readonly bus: EventBus
  readonly config?: Config
  typeOf(row: ElementRow): ElementType
  resolve(actor: Actor | null, circleSlug: string, segments: string[]): Promise<ElementRow>
  lineage(row: ElementRow): Promise<string[]>
  ancestors(row: ElementRow): Promise<ElementRow[]>
  circleSlug(circleId: string): Promise<string>
  present(row: ElementRow): Promise<ElementJson>
  prepareSpec(type: ElementType, spec: JsonObject): JsonObject
  createCircle(input: CreateInput, actor: Actor): Promise<ElementRow>
  create(parent: ElementRow, input: CreateInput, actor: Actor, opts?: CreateOptions): Promise<ElementRow>
  update(current: ElementRow, input: UpdateInput, actor: Actor): Promise<ElementRow>
  restore(current: ElementRow, version: number, actor: Actor): Promise<ElementRow>
  patch(
    current: ElementRow,
    patch: ElementPatch,
    actor: Actor,
    event: string,
    data?: JsonObject,
    alsoInTx?: (tx: ElementTx) => Promise<void>,
  ): Promise<ElementRow>
  softDelete(current: ElementRow, actor: Actor): Promise<ElementRow>
  note(row: ElementRow, actor: Actor, event: string, data: JsonObject): Promise<void>
  /** Runs `fn` in one transaction; `record` its activity with `tx`, then `flush` after commit. */
  transaction<T>(fn: (tx: ElementTx) => Promise<T>): Promise<T>
  record(
    tx: ElementTx,
    events: PendingEvent[],
    type: string,
    row: ElementRow,
    actor: Actor | null,
    data: JsonObject,
  ): Promise<void>
  flush(events: PendingEvent[]): void
}
