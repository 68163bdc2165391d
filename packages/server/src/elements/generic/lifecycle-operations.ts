// Generic lifecycle operations: create, children, update, update_meta, restore, enable,
// disable and delete — the same for every element type.
import { Type } from '@sinclair/typebox'
import { E, PlatformError } from '../../errors.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { defineOperation } from '../element.ts'
import { assertSafeKeys } from '../spec-merge.ts'

const Obj = (description: string) => Type.Object({}, { additionalProperties: true, description })
const MAX_META_BYTES = 64 * 1024

export const createInput = Type.Object(
  {
    element_type: Type.String({ minLength: 1, maxLength: 64 }),
    slug: Type.String({ minLength: 1, maxLength: 63 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    intention: Type.Optional(Type.String({ maxLength: 10_000 })),
    spec: Type.Optional(Obj('Type-specific spec; defaults are applied.')),
    meta: Type.Optional(Obj('Free-form UI metadata.')),
  },
  { additionalProperties: false },
)

export const createOperation = defineOperation({
  name: 'create',
  method: 'POST',
  auth: 'write',
  summary: 'Create a child element (POST to the parent path works too)',
  description: 'element_type and slug are required; name is derived from the slug when omitted.',
  input: createInput,
  allowWhenDisabled: true,
  async handler(ctx) {
    const row = await ctx.elements.create(
      ctx.element,
      ctx.input as Parameters<typeof ctx.elements.create>[1],
      ctx.actor,
    )
    ctx.reply.status(201)
    return ctx.elements.present(row)
  },
})

export const lifecycleOperations = [
  createOperation,
  defineOperation({
    name: 'children',
    method: 'GET',
    auth: 'read',
    summary: 'List direct child elements',
    input: Type.Object(
      {
        element_type: Type.Optional(Type.String({ maxLength: 64 })),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        offset: Type.Integer({ minimum: 0, default: 0 }),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const types = ctx.input.element_type ? [ctx.input.element_type] : undefined
      const all = await ctx.elements.records.listChildren(ctx.element.id, { types })
      const page = all.slice(ctx.input.offset, ctx.input.offset + ctx.input.limit)
      return {
        children: await Promise.all(page.map((r) => ctx.elements.present(r))),
        total: all.length,
        limit: ctx.input.limit,
        offset: ctx.input.offset,
      }
    },
  }),
  defineOperation({
    name: 'update',
    method: 'PATCH',
    auth: 'write',
    summary: 'Update spec, name or intention (deep merge by default; a new version every time)',
    description:
      'spec is deep-merged (lists replaced); {"spec":{...},"deep":false} replaces it wholesale; {"spec":{}} still records a version. expected_version gives 409 VERSION_CONFLICT when stale.',
    input: Type.Object(
      {
        spec: Type.Optional(Obj('Spec patch')),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        intention: Type.Optional(Type.String({ maxLength: 10_000 })),
        deep: Type.Boolean({ default: true }),
        expected_version: Type.Optional(Type.Integer({ minimum: 1 })),
        message: Type.Optional(Type.String({ maxLength: 500 })),
        slug: Type.Optional(Type.String({ description: 'Refused unless equal to the current slug.' })),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      if (ctx.input.slug !== undefined && ctx.input.slug !== ctx.element.slug) {
        throw new PlatformError(
          E.SLUG_IMMUTABLE,
          'the slug cannot be changed after creation; create a new element instead',
          { field: 'slug' },
        )
      }
      const { slug: _slug, ...input } = ctx.input
      const row = await ctx.elements.update(
        ctx.element,
        input as Parameters<typeof ctx.elements.update>[1],
        ctx.actor,
      )
      return ctx.elements.present(row)
    },
  }),
  defineOperation({
    name: 'update_meta',
    method: 'PATCH',
    auth: 'write',
    summary: 'Shallow-merge into meta (no new version)',
    input: Type.Object(
      { meta: Obj('Top-level keys replace existing ones; null values are kept as null.') },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const patch = ctx.input.meta as JsonObject
      assertSafeKeys(patch, 'meta')
      const meta = { ...ctx.element.meta, ...patch }
      if (Buffer.byteLength(JSON.stringify(meta)) > MAX_META_BYTES) {
        throw new PlatformError(
          E.VALIDATION_FAILED,
          `meta: must serialize to at most ${MAX_META_BYTES} bytes`,
          { field: 'meta' },
        )
      }
      const row = await ctx.elements.patch(ctx.element, { meta }, ctx.actor, 'element.meta_updated', {
        keys: Object.keys(patch),
      })
      return ctx.elements.present(row)
    },
  }),
  defineOperation({
    name: 'restore',
    method: 'POST',
    auth: 'admin',
    summary: 'Restore the spec, name and intention of an earlier version (snapshots the current state first)',
    input: Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    allowWhenDisabled: true,
    async handler(ctx) {
      const row = await ctx.elements.restore(ctx.element, ctx.input.version, ctx.actor)
      return ctx.elements.present(row)
    },
  }),
  defineOperation({
    name: 'enable',
    method: 'POST',
    auth: 'admin',
    summary: 'Enable the element (idempotent)',
    input: Type.Object({}, { additionalProperties: false }),
    allowWhenDisabled: true,
    async handler(ctx) {
      const { element } = ctx
      if (element.enabled) return { ...(await ctx.elements.present(element)), changed: false }
      const type = ctx.type
      const state = type.deriveState ? type.deriveState(element.spec, element) : type.initialState
      const row = await ctx.elements.patch(
        element,
        { enabled: true, state, state_reason: null },
        ctx.actor,
        'element.enabled',
      )
      return { ...(await ctx.elements.present(row)), changed: true }
    },
  }),
  defineOperation({
    name: 'disable',
    method: 'POST',
    auth: 'admin',
    summary: 'Disable the element (idempotent); its type operations are refused until enabled',
    input: Type.Object(
      { reason: Type.Optional(Type.String({ maxLength: 500 })) },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const { element } = ctx
      const reason = ctx.input.reason ?? null
      if (!element.enabled && (reason === null || reason === element.state_reason)) {
        return { ...(await ctx.elements.present(element)), changed: false }
      }
      const row = await ctx.elements.patch(
        element,
        { enabled: false, state: 'disabled', state_reason: reason },
        ctx.actor,
        'element.disabled',
        {
          reason,
        },
      )
      return { ...(await ctx.elements.present(row)), changed: element.enabled }
    },
  }),
  defineOperation({
    name: 'delete',
    method: 'DELETE',
    auth: 'admin',
    summary:
      'Soft-delete the element (requires {"confirm": true}; refused while it has children or active runs)',
    input: Type.Object({ confirm: Type.Boolean({ default: false }) }, { additionalProperties: false }),
    allowWhenDisabled: true,
    async handler(ctx) {
      if (ctx.input.confirm !== true) {
        throw new PlatformError(
          E.CONFIRMATION_REQUIRED,
          `deleting "${ctx.element.slug}" needs {"confirm": true}`,
          { field: 'confirm' },
        )
      }
      const row = await ctx.elements.softDelete(ctx.element, ctx.actor)
      return { deleted: true, id: row.id, slug: row.slug, deleted_at: row.deleted_at }
    },
  }),
]
