// The python element's spec: fields, defaults and ranges from the reference text, the
// "fails unless" rules, the advisories, and the element's error codes.
import { type Static, Type } from '@sinclair/typebox'
import { defineErrorCodes, E, PlatformError } from '../../errors.ts'
import { MAX_JSON_DEPTH } from '../../json-depth.ts'
import { RUN } from '../../runs/run-errors.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { type SpecRule, specReader } from '../element.ts'
import { assertValidRequirements, REQUIREMENT_NAME_PATTERN, requirementsOfSpec } from './requirement-lines.ts'

const EnvName = '^(?!PERIODIC_)[A-Za-z_][A-Za-z0-9_]{0,127}$'
const Slug = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
/** A layer reference: a path of slugs, optionally `@version` (see layer-references.ts). */
export const LAYER_REFERENCE_PATTERN = `^${Slug}(?:/${Slug}){0,15}(?:@[1-9][0-9]{0,8})?$`

export const pythonSpec = Type.Object(
  {
    runtime: Type.Optional(Type.Literal('python', { description: 'Informational only.' })),
    handler: Type.String({
      default: '',
      maxLength: 128,
      description: 'Entry point; empty = handler, main, entrypoint, then the slug.',
    }),
    source: Type.Object(
      {
        type: Type.Union([Type.Literal('inline'), Type.Literal('file'), Type.Literal('git')], {
          default: 'inline',
        }),
        code: Type.Optional(Type.String({ maxLength: 1024 * 1024 })),
        path: Type.Optional(Type.String({ maxLength: 512 })),
        repository: Type.Optional(Type.String({ maxLength: 2048 })),
        ref: Type.Optional(Type.String({ maxLength: 256 })),
        requirements: Type.Union(
          [
            Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 200 }),
            Type.String({
              maxLength: 64 * 1024,
              description: 'One PEP 508 requirement per line; # comments and blank lines are ignored.',
            }),
          ],
          { default: [], description: 'pip dependencies: a list, or text with one per line' },
        ),
        tests: Type.Optional(
          Type.String({ maxLength: 1024 * 1024, description: 'pytest source run by the test operation' }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    requirements: Type.Optional(
      Type.Union([
        Type.Record(Type.String({ pattern: REQUIREMENT_NAME_PATTERN }), Type.String({ maxLength: 128 }), {
          maxProperties: 200,
          additionalProperties: false,
          description: 'pip dependencies as a map, e.g. {"requests": ">=2.31", "numpy": "*"}',
        }),
        Type.String({
          maxLength: 64 * 1024,
          description: 'pip dependencies as text: one PEP 508 requirement per line',
        }),
      ]),
    ),
    memory_mb: Type.Integer({ minimum: 64, maximum: 4096, default: 128 }),
    timeout_ms: Type.Integer({ minimum: 100, maximum: 900_000, default: 30_000 }),
    // additionalProperties: without it a Record's key pattern is only a patternProperties
    // hint, and names like PERIODIC_X or 1A (with any value) would pass.
    environment: Type.Record(Type.String({ pattern: EnvName }), Type.String({ maxLength: 32_768 }), {
      default: {},
      maxProperties: 200,
      additionalProperties: false,
    }),
    layers: Type.Array(Type.String({ maxLength: 256, pattern: LAYER_REFERENCE_PATTERN }), {
      default: [],
      maxItems: 20,
      description:
        'python-layer elements of the same circle by path, optionally pinned to a version (`libs/common`, `libs/common@3`): their files and built requirements are mounted read-only on sys.path after the element’s own code and requirements, in this order. Unpinned = the layer’s current version.',
    }),
    concurrency: Type.Object(
      {
        reserved: Type.Integer({ minimum: 0, maximum: 64, default: 0 }),
        max: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
      },
      { additionalProperties: false, default: {} },
    ),
    retry: Type.Object(
      {
        max_attempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
        backoff_ms: Type.Integer({ minimum: 0, maximum: 600_000, default: 1000 }),
        backoff_multiplier: Type.Number({ minimum: 1, maximum: 10, default: 2 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)

export type PythonSpec = Static<typeof pythonSpec>

/** A stored python element's spec (for the runtime, which gets rows rather than contexts). */
export const pythonSpecOf = specReader<PythonSpec>('python')

const src = (spec: JsonObject) => (spec['source'] ?? {}) as JsonObject
const filled = (v: unknown) => typeof v === 'string' && v.length > 0

export const pythonRules: SpecRule[] = [
  {
    field: 'source.code',
    message: 'inline source requires code in spec.source.code',
    check: (s) => src(s)['type'] !== 'inline' || filled(src(s)['code']),
  },
  {
    field: 'source.path',
    message: 'file source requires spec.source.path',
    check: (s) => src(s)['type'] !== 'file' || filled(src(s)['path']),
  },
  {
    field: 'source.path',
    message: 'must be a relative path inside the workspace or repository (no "..", no leading "/")',
    check: (s) => {
      const p = src(s)['path']
      return (
        typeof p !== 'string' || (!/^[/\\]/.test(p) && !p.includes('\0') && !/(^|[/\\])\.\.([/\\]|$)/.test(p))
      )
    },
  },
  {
    field: 'source.repository',
    message: 'git source requires spec.source.repository',
    check: (s) => src(s)['type'] !== 'git' || filled(src(s)['repository']),
  },
  {
    field: 'concurrency.reserved',
    message: 'concurrency.reserved cannot exceed concurrency.max',
    check: (s) => {
      const c = (s['concurrency'] ?? {}) as { reserved?: number; max?: number }
      return (c.reserved ?? 0) <= (c.max ?? 4)
    },
  },
]

export const pythonAdvisories: SpecRule[] = [
  {
    field: 'memory_mb',
    message: 'High memory allocation (>2GB) may increase costs',
    check: (s) => Number(s['memory_mb'] ?? 0) <= 2048,
  },
  {
    field: 'timeout_ms',
    message: 'Long timeout (>5min) — consider async processing patterns',
    check: (s) => Number(s['timeout_ms'] ?? 0) <= 300_000,
  },
  {
    field: 'source.requirements',
    message: 'Large number of pip dependencies may increase cold start time',
    check: (s) => requirementsOfSpec(s as unknown as PythonSpec).length <= 20,
  },
]

/**
 * The classic mistake, explained: code belongs in spec.source.code. Requirements are checked
 * against PEP 508 here, line by line, so the error can name the line.
 */
export function preValidatePython(spec: JsonObject): void {
  if ('code' in spec) {
    throw new PlatformError(
      E.VALIDATION_FAILED,
      'spec.code: code goes in spec.source.code (with spec.source.type "inline"), not spec.code',
      {
        field: 'spec.code',
        hint: { source: { type: 'inline', code: 'def handler(input):\n    return input' } },
      },
    )
  }
  assertValidRequirements(spec)
}

export const PY = {
  ...defineErrorCodes({
    PYTHON_TIMEOUT: {
      status: 504,
      class: 'timeout',
      retryable: true,
      description: 'The invocation exceeded timeout_ms; its worker was stopped.',
    },
    PYTHON_OOM: {
      status: 500,
      class: 'internal',
      retryable: false,
      description: 'The worker exceeded memory_mb and was killed.',
    },
    PYTHON_SYNTAX_ERROR: {
      status: 400,
      class: 'validation',
      retryable: false,
      description: 'The source has a syntax error; details give line and column.',
    },
    PYTHON_IMPORT_ERROR: {
      status: 500,
      class: 'internal',
      retryable: false,
      description: 'Importing the code failed (a missing dependency, usually).',
    },
    PYTHON_RUNTIME_ERROR: {
      status: 500,
      class: 'internal',
      retryable: false,
      description: 'The handler raised; the run has the traceback.',
    },
    PYTHON_RESULT_TOO_DEEP: {
      status: 422,
      class: 'validation',
      retryable: false,
      description: `The handler returned (or streamed) JSON nested more than ${MAX_JSON_DEPTH} levels deep; the run fails instead of storing it.`,
    },
    PYTHON_HANDLER_NOT_FOUND: {
      status: 400,
      class: 'validation',
      retryable: false,
      description: 'The handler is not defined; details.callables lists what the code does define.',
    },
    PYTHON_SOURCE_UNAVAILABLE: {
      status: 400,
      class: 'validation',
      retryable: false,
      description: 'The file or git source could not be read (missing path, bad repository or ref).',
    },
    PYTHON_BUILD_FAILED: {
      status: 500,
      class: 'internal',
      retryable: false,
      description: 'Installing the requirements failed; the build has pip’s output.',
    },
    PYTHON_WORKER_LOST: {
      status: 503,
      class: 'unavailable',
      retryable: true,
      description: 'The worker process died unexpectedly (it was replaced).',
    },
    PYTHON_TEST_FAILED: {
      status: 422,
      class: 'validation',
      retryable: false,
      description: 'pytest reported failing tests; the test run has its output.',
    },
    PYTHON_SYNC_WAIT_EXPIRED: {
      status: 504,
      class: 'timeout',
      // Not retryable: the run goes on, and a retry would run the handler a second time.
      retryable: false,
      description:
        'measure/apply waited longer than the run’s own limits allow (timeout_ms × attempts, backoff, a queue margin); the run goes on: details.run_id and details.location name it.',
    },
    PYTHON_SOURCE_NOT_INLINE: {
      status: 409,
      class: 'conflict',
      retryable: false,
      description: 'scaffold writes spec.source.code: the element’s source is a file or git repository.',
    },
    PYTHON_CODE_EXISTS: {
      status: 409,
      class: 'conflict',
      retryable: false,
      description: 'scaffold would replace non-empty code; send overwrite: true to replace it.',
    },
    PYTHON_INVALID_TRANSITION: {
      status: 409,
      class: 'conflict',
      retryable: false,
      description:
        'lifecycle cannot move the element from its state to target_state; details.allowed lists the states it can move to.',
    },
    PYTHON_LAYER_NOT_FOUND: {
      status: 400,
      class: 'validation',
      retryable: false,
      description:
        'A spec.layers entry names no live element of the circle, or a version the layer does not have; details.layer names the entry. A run whose layer was deleted since fails with it too.',
    },
    PYTHON_LAYER_INVALID: {
      status: 400,
      class: 'validation',
      retryable: false,
      description:
        'A spec.layers entry names an element that cannot be a layer: not a python-layer (details.element_type), the element itself, or one listed twice.',
    },
    BUILD_NOT_FOUND: {
      status: 404,
      class: 'not_found',
      retryable: false,
      description: 'No such build for this element.',
    },
  }),
  // Run codes are the platform's (the runs API returns them too); python runs use them.
  RUN_NOT_FOUND: RUN.RUN_NOT_FOUND,
  RUN_NOT_CANCELLABLE: RUN.RUN_NOT_CANCELLABLE,
  RUN_CANCELLED: RUN.RUN_CANCELLED,
}

/** Error codes a retry can cure (retry.max_attempts applies to these only). */
export const RETRYABLE_RUN_CODES = new Set(['PYTHON_TIMEOUT', 'PYTHON_WORKER_LOST'])
