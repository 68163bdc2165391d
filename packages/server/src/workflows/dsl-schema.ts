// The Serverless Workflow DSL 1.0 JSON schema, reshaped so that Ajv (allErrors) reports the errors
// of the branch a document meant rather than every branch of every oneOf. dsl-schema.json is the
// schema the @serverlessworkflow/sdk 1.0.1 bundle embeds (Apache-2.0, © the Serverless Workflow
// Specification Authors), extracted verbatim because the package does not export it.
//
// Reshaping keeps the language the same: a oneOf whose branches are told apart by a key
// (task kinds, `call: http|openapi|…`, run/auth/backoff/event-strategy variants) becomes an
// if/then/else chain on that key, so only the branch that applies reports. Two relaxations follow
// DSL 1.0.1+ (which we accept as dsl 1.0.x): HTTP `headers` and `query` may be runtime expressions.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import rawSchema from './dsl-schema.json' with { type: 'json' }

type Schema = Record<string, unknown>
type AddFormats = (ajv: Ajv2020) => Ajv2020
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats)

/** The task kinds of DSL 1.0, in the order a task is told apart (`for` before `do`: a for has both). */
export const TASK_KINDS = [
  'call',
  'for',
  'do',
  'emit',
  'fork',
  'listen',
  'raise',
  'run',
  'set',
  'switch',
  'try',
  'wait',
] as const
export type TaskKind = (typeof TASK_KINDS)[number]

/** Custom keyword: the object must hold exactly one of these keys (a variant selector). */
const ONE_KEY_OF = 'x-oneKeyOf'

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

function obj(v: unknown): Schema {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('dsl-schema: shape')
  return v as Schema
}

function at(root: Schema, pointer: string): Schema {
  let cur: unknown = root
  for (const part of pointer.split('/').slice(1)) cur = obj(cur)[part]
  return obj(cur)
}

/** if/then/else chain: `cases` are [if-schema, then-schema]; `otherwise` is the last else. */
function chain(cases: Array<[Schema, Schema]>, otherwise: Schema = {}): Schema {
  let node: Schema = otherwise
  for (let i = cases.length - 1; i >= 0; i--) {
    const c = cases[i]
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a thenable
    if (c) node = { if: c[0], then: c[1], else: node }
  }
  return node
}

const hasKey = (k: string): Schema => ({ required: [k] })

/** Replaces `oneOf` on `node` by a chain on which key each branch requires (`keys[i]` ↔ branch i). */
function byKey(node: Schema, keys: string[], selectOne = true): void {
  const branches = node.oneOf as Schema[]
  delete node.oneOf
  Object.assign(node, chain(branches.map((b, i) => [hasKey(keys[i] ?? ''), b] as [Schema, Schema])))
  if (selectOne) node[ONE_KEY_OF] = keys
}

/** Replaces a two-branch `oneOf` by: has `key` → branch `yes`, else branch `no`. */
function ifKey(node: Schema, key: string, yes: number, no: number): void {
  const branches = node.oneOf as Schema[]
  delete node.oneOf
  Object.assign(node, chain([[hasKey(key), branches[yes] ?? {}]], branches[no] ?? {}))
}

function reshape(source: Schema): Schema {
  const s = clone(source)
  const defs = obj(s.$defs)

  // task: one chain on the kind key; an unknown kind is reported by definition.ts (with the list).
  const task = obj(defs.task)
  delete task.oneOf
  delete task.unevaluatedProperties
  Object.assign(
    task,
    chain(TASK_KINDS.map((k) => [hasKey(k), { $ref: `#/$defs/${k}Task` }] as [Schema, Schema])),
  )

  // call: by the value of `call` (asyncapi, grpc, http, openapi, else a function name).
  const call = obj(defs.callTask)
  const callBranches = call.oneOf as Schema[]
  delete call.oneOf
  const named = (name: string) => callBranches.find((b) => b.title === name) ?? {}
  Object.assign(
    call,
    chain(
      (['asyncapi', 'grpc', 'http', 'openapi'] as const).map(
        (v, i) =>
          [
            { properties: { call: { const: v } }, required: ['call'] },
            named(['CallAsyncAPI', 'CallGRPC', 'CallHTTP', 'CallOpenAPI'][i] ?? ''),
          ] as [Schema, Schema],
      ),
      named('CallFunction'),
    ),
  )
  const httpWith = at(named('CallHTTP'), '/properties/with/properties')
  const expression = { $ref: '#/$defs/runtimeExpression' }
  httpWith.headers = { oneOf: [httpWith.headers, expression] }
  httpWith.query = { oneOf: [httpWith.query, expression] }

  // Name the free-string branch of a flow directive so messages can say what it is.
  const directive = (obj(defs.flowDirective).anyOf as Schema[])[1]
  if (directive) directive.title = 'FlowDirectiveTaskName'

  byKey(at(s, '/$defs/runTask/properties/run'), ['container', 'script', 'shell', 'workflow'])
  byKey(at(s, '/$defs/runTask/properties/run/else/then/properties/script'), ['code', 'source'])
  const auth = obj(defs.authenticationPolicy)
  const schemes = ['basic', 'bearer', 'digest', 'oauth2', 'oidc']
  // Each scheme is given inline (branch 0) or as `{use: <secret>}` (branch 1).
  for (const [i, b] of (auth.oneOf as Schema[]).entries()) {
    ifKey(at(b, `/properties/${schemes[i] ?? ''}`), 'use', 1, 0)
  }
  byKey(auth, schemes)
  // A policy is a reference `{use: <name>}` (branch 0) or a policy (branch 1).
  ifKey(obj(defs.referenceableAuthenticationPolicy), 'use', 0, 1)
  byKey(obj(defs.eventConsumptionStrategy), ['all', 'any', 'one'])
  byKey(at(s, '/$defs/retryPolicy/properties/backoff'), ['constant', 'exponential', 'linear'])
  ifKey(obj(defs.schema), 'resource', 1, 0)
  return s
}

let compiled: ValidateFunction | undefined

/** The reshaped DSL schema (exported for tests and docs). */
export const dslSchema: Schema = reshape(rawSchema as unknown as Schema)

/** Validates a document against the DSL schema; Ajv errors, all of them (allErrors). */
export function schemaErrors(doc: unknown): ErrorObject[] {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true })
    addFormats(ajv)
    ajv.addKeyword({
      keyword: ONE_KEY_OF,
      type: 'object',
      schemaType: 'array',
      errors: true,
      validate: function oneKeyOf(keys: string[], data: Record<string, unknown>) {
        const present = keys.filter((k) => k in data)
        if (new Set(present).size === 1) return true
        const self = oneKeyOf as unknown as { errors: Partial<ErrorObject>[] }
        self.errors = [
          {
            keyword: ONE_KEY_OF,
            message:
              present.length === 0
                ? `must have one of: ${[...new Set(keys)].join(', ')}`
                : `must have only one of: ${present.join(', ')}`,
            params: { keys, present },
          },
        ]
        return false
      },
    })
    compiled = ajv.compile(dslSchema)
  }
  return compiled(doc) ? [] : [...(compiled.errors ?? [])]
}
