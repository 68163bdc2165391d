// scaffold and lifecycle, the seed's state guidance: a draft gets a starter main.py from a
// template for its purpose; an element in error steps back to draft (or ready) once fixed.
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { pythonOperation } from './python-operation.ts'
import { LIFECYCLE_MOVES, NOT_BY_LIFECYCLE, PYTHON_STATES, type PythonState } from './python-states.ts'
import { handlerNameOf, renderTemplate, TEMPLATES, templateForIntention } from './python-templates.ts'
import { PY } from './spec.ts'

export const stateOperations = [
  pythonOperation({
    name: 'scaffold',
    method: 'POST',
    auth: 'write',
    summary: 'Write a starter main.py (spec.source.code) from a template for the element’s purpose',
    description:
      'Inline sources only. Without `template` the intention picks one (stream, http, resources, transform, else basic). Existing non-empty code is kept unless `overwrite` is true. Creates a new version; the element becomes ready.',
    input: Type.Object(
      {
        template: Type.Optional(Type.Union(TEMPLATES.map((t) => Type.Literal(t)))),
        overwrite: Type.Boolean({ default: false }),
        expected_version: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const { element, spec } = ctx
      if (spec.source.type !== 'inline')
        throw new PlatformError(
          PY.PYTHON_SOURCE_NOT_INLINE,
          `the source is "${spec.source.type}"; scaffold writes inline code (spec.source.type "inline")`,
          { source_type: spec.source.type },
        )
      if ((spec.source.code ?? '').trim() !== '' && !ctx.input.overwrite)
        throw new PlatformError(
          PY.PYTHON_CODE_EXISTS,
          'spec.source.code is not empty; send overwrite: true to replace it',
          { code_bytes: Buffer.byteLength(spec.source.code ?? '') },
        )
      const template = ctx.input.template ?? templateForIntention(element.intention)
      const handler = handlerNameOf(spec.handler)
      const code = renderTemplate(template, handler, element.intention)
      const row = await ctx.elements.update(
        element,
        {
          spec: { source: { code } },
          // Unless the caller names a version, the one just checked: code written meanwhile is kept.
          expected_version: ctx.input.expected_version ?? element.version,
          message: `scaffold: ${template} template`,
        },
        ctx.actor,
      )
      return { ...(await ctx.elements.present(row)), template, handler, code }
    },
  }),
  pythonOperation({
    name: 'lifecycle',
    method: 'POST',
    auth: 'write',
    summary: 'Move the element to target_state (e.g. back to draft from error)',
    description:
      'Allowed: error or deployed → draft or ready; ready → draft; draft → ready (with runnable source). deployed and error come from runs, disabled and deleted from their own operations. The same state is a no-op (changed: false).',
    input: Type.Object(
      {
        target_state: Type.Union(PYTHON_STATES.map((s) => Type.Literal(s))),
        reason: Type.Optional(Type.String({ maxLength: 500 })),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const { element } = ctx
      const from = element.state as PythonState
      const to = ctx.input.target_state as PythonState
      if (from === to) return { ...(await ctx.elements.present(element)), from, changed: false }
      const allowed = LIFECYCLE_MOVES[from] ?? []
      const refuse = (why: string) =>
        new PlatformError(PY.PYTHON_INVALID_TRANSITION, `cannot move from ${from} to ${to}: ${why}`, {
          from,
          to,
          allowed,
        })
      if (!allowed.includes(to))
        throw refuse(NOT_BY_LIFECYCLE[to] ?? `allowed from ${from}: ${allowed.join(', ') || 'none'}`)
      if (to === 'ready' && ctx.type.deriveState?.(element.spec, element) !== 'ready')
        throw refuse('the source has no code yet (scaffold or write spec.source.code first)')
      // A run may have settled the state since the request resolved the element: move only from
      // the state checked.
      const current = await ctx.elements.records.getElement(element.id)
      if (current?.state !== from) throw refuse(`the state changed to ${current?.state} meanwhile`)
      const row = await ctx.elements.patch(
        current,
        { state: to, state_reason: ctx.input.reason ?? null },
        ctx.actor,
        'element.state_changed',
        { state: to, from, reason: ctx.input.reason ?? null },
      )
      // Back from error, the element gets its full allowance of failed runs again.
      ctx.runtime.runHealth.forget(element.id)
      return { ...(await ctx.elements.present(row)), from, changed: true }
    },
  }),
]
