// The SDK's hand-written wire types against the types generated from openapi.json. The types
// the document names are aliases of the generated ones (src/types.ts); these checks cover the
// rest: what the SDK sends must be what the server accepts, what it parses must hold what the
// server answers. They are checked by `tsc -p packages/sdk` (npm run typecheck), so a server
// schema change that breaks one fails `npm test` once `npm run openapi` has regenerated the types.
import { describe, expectTypeOf, it } from 'vitest'
import type { components, operations } from '../src/generated/openapi.ts'
import type {
  CompareRunsOptions,
  CreateElementInput,
  Element,
  ErrorEnvelope,
  RequestOptions,
  RerunOptions,
  ResolveFeedbackOptions,
  Run,
  RunArtifactList,
  RunComparison,
  RunFeedback,
  RunFeedbackUpdate,
  RunFilters,
  RunStatus,
  RunsPage,
  RunTrace,
  UpdateElementInput,
} from '../src/index.ts'

type Schemas = components['schemas']
type JsonBody<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } }
}
  ? B
  : never
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>
/** The declared keys of `T`, without its index signature. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] }
/** An SDK input as it goes on the wire: readonly arrays and `undefined` members dropped. */
type Sent<T> = {
  -readonly [K in keyof T]: Exclude<T[K], undefined> extends readonly (infer U)[]
    ? U[]
    : Exclude<T[K], undefined>
}

describe('SDK wire types against openapi.json', () => {
  it('reads every answer of the runs API as the SDK types say', () => {
    expectTypeOf<Schemas['Run']>().toExtend<Run>()
    expectTypeOf<Schemas['RunRecord']>().toExtend<Run>()
    expectTypeOf<Schemas['RunsPage']>().toExtend<RunsPage>()
    expectTypeOf<Schemas['Element']>().toEqualTypeOf<Element>()
    expectTypeOf<Schemas['RunFeedback']>().toEqualTypeOf<RunFeedback>()
    expectTypeOf<Schemas['RunComparison']>().toEqualTypeOf<RunComparison>()
    expectTypeOf<Schemas['RunTrace']>().toEqualTypeOf<RunTrace>()
    expectTypeOf<Schemas['RunArtifactList']>().toEqualTypeOf<RunArtifactList>()
    expectTypeOf<RunStatus>().toEqualTypeOf<Schemas['RunStatus']>()
  })

  it('parses every error envelope the server sends', () => {
    expectTypeOf<Schemas['ErrorEnvelope']>().toExtend<ErrorEnvelope>()
    expectTypeOf<KnownKeys<Schemas['ErrorEnvelope']['error']>>().toEqualTypeOf<
      KnownKeys<ErrorEnvelope['error']>
    >()
  })

  it('sends element bodies the server accepts', () => {
    expectTypeOf<Sent<CreateElementInput>>().toExtend<JsonBody<'generic_create_post'>>()
    expectTypeOf<Sent<UpdateElementInput>>().toExtend<JsonBody<'generic_update_patch'>>()
  })

  it('sends run bodies and filters the server accepts', () => {
    expectTypeOf<Sent<RunFeedbackUpdate>>().toExtend<JsonBody<'runs_feedback_update'>>()
    expectTypeOf<Sent<RunFeedbackUpdate>>().toExtend<JsonBody<'runs_feedback_replace'>>()
    expectTypeOf<Sent<Pick<RerunOptions, 'version'>>>().toExtend<JsonBody<'runs_rerun'>>()
    expectTypeOf<{ run_ids: string[]; field?: CompareRunsOptions['field'] & {} }>().toExtend<
      JsonBody<'runs_compare'>
    >()
    expectTypeOf<{ resolved?: boolean; note?: ResolveFeedbackOptions['note'] & {} }>().toExtend<
      JsonBody<'runs_feedback_resolve'>
    >()
    // Every filter of GET /api/v1/runs is an option of runs.list, and no option is unknown to it.
    expectTypeOf<Exclude<keyof RunFilters, keyof RequestOptions>>().toEqualTypeOf<
      KnownKeys<Query<'runs_list'>>
    >()
  })
})
