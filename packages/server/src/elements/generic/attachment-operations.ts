// Generic attachment operations. attach/detach/targets are called on the modifier or resource;
// attachments/compose/remove-modifier on the element it is attached to (the target).
import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { Actor } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import type { AttachmentRow, ElementRow } from '../../storage/storage.ts'
import { isUniqueViolation } from '../../storage/unique-violation.ts'
import type { ElementsPort, ElementTx } from '../element.ts'
import { defineOperation } from '../element.ts'

const cascade = Type.Union([Type.Literal('none'), Type.Literal('children'), Type.Literal('descendants')], {
  default: 'none',
})
const priority = Type.Integer({ minimum: 0, maximum: 10_000, default: 100, description: 'Lower runs first.' })
const targetRef = {
  target_id: Type.Optional(Type.String({ format: 'uuid' })),
  target: Type.Optional(
    Type.String({ minLength: 1, maxLength: 300, description: 'Slug or path of the target in this circle.' }),
  ),
}

/** Resolves `slug`, `project/slug` or `slug@v3` inside the circle of `from`. */
async function resolveRef(
  svc: ElementsPort,
  from: ElementRow,
  ref: string,
): Promise<{ row: ElementRow; pin: number | null }> {
  const m = /^([a-z0-9/-]+?)(?:@v?(\d{1,9}))?$/.exec(ref)
  if (!m)
    throw new PlatformError(
      E.VALIDATION_FAILED,
      `ref "${ref.slice(0, 80)}" must be a slug or path, optionally @version`,
      { field: 'ref' },
    )
  const segments = m[1]!.split('/').filter(Boolean)
  const circle = await svc.circleSlug(from.circle_id)
  if (segments[0] === circle) segments.shift()
  const row = await svc.resolve(null, circle, segments)
  const pin = m[2] ? Number(m[2]) : null
  if (pin !== null && !(await svc.records.getVersion(row.id, pin))) {
    throw new PlatformError(E.VERSION_NOT_FOUND, `"${row.slug}" has no version ${pin}`, {
      field: 'ref',
      version: pin,
    })
  }
  return { row, pin }
}

async function resolveTarget(
  svc: ElementsPort,
  from: ElementRow,
  input: { target_id?: string; target?: string },
): Promise<ElementRow> {
  if ((input.target_id === undefined) === (input.target === undefined)) {
    throw new PlatformError(E.VALIDATION_FAILED, 'pass exactly one of target_id or target', {
      field: 'target_id',
    })
  }
  if (input.target !== undefined) return (await resolveRef(svc, from, input.target)).row
  const row = await svc.records.getElement(input.target_id!)
  if (!row || row.circle_id !== from.circle_id)
    throw new PlatformError(E.ELEMENT_NOT_FOUND, `no element ${input.target_id} in this circle`, {
      field: 'target_id',
    })
  return row
}

async function attach(
  tx: ElementTx,
  source: ElementRow,
  target: ElementRow,
  opts: { priority: number; cascade_policy: string; version_pin: number | null },
): Promise<AttachmentRow> {
  if (source.id === target.id)
    throw new PlatformError(E.INVALID_ATTACHMENT, 'an element cannot attach to itself')
  if (source.parent_id === null || target.parent_id === null)
    throw new PlatformError(E.INVALID_ATTACHMENT, 'circles cannot be attached or attached to')
  if (opts.version_pin !== null && !(await tx.getVersion(source.id, opts.version_pin))) {
    throw new PlatformError(E.VERSION_NOT_FOUND, `"${source.slug}" has no version ${opts.version_pin}`, {
      field: 'version_pin',
      version: opts.version_pin,
    })
  }
  if (await tx.findAttachment(source.id, target.id)) {
    throw new PlatformError(E.ATTACHMENT_EXISTS, `"${source.slug}" is already attached to "${target.slug}"`)
  }
  const row: AttachmentRow = {
    id: randomUUID(),
    circle_id: source.circle_id,
    source_id: source.id,
    target_id: target.id,
    ...opts,
    created_at: new Date().toISOString(),
  }
  try {
    await tx.insertAttachment(row)
  } catch (err) {
    if (isUniqueViolation(err))
      throw new PlatformError(E.ATTACHMENT_EXISTS, `"${source.slug}" is already attached to "${target.slug}"`)
    throw err
  }
  return row
}

async function presentAttachment(svc: ElementsPort, a: AttachmentRow, side: 'source' | 'target') {
  const other = await svc.records.getElement(side === 'source' ? a.source_id : a.target_id)
  const otherType = other ? svc.registry.get(other.element_type) : undefined
  return {
    id: a.id,
    [side]: other
      ? { id: other.id, slug: other.slug, name: other.name, element_type: other.element_type }
      : { id: side === 'source' ? a.source_id : a.target_id, missing: true },
    is_modifier: side === 'source' ? Boolean(otherType?.modifier) : undefined,
    priority: a.priority,
    cascade_policy: a.cascade_policy,
    version_pin: a.version_pin,
    created_at: a.created_at,
  }
}

async function inTx<T>(
  svc: ElementsPort,
  row: ElementRow,
  actor: Actor,
  event: string,
  fn: (tx: ElementTx) => Promise<T>,
  data: (r: T) => object,
): Promise<T> {
  const events: Parameters<ElementsPort['record']>[1] = []
  const result = await svc.transaction(async (tx) => {
    const r = await fn(tx)
    await svc.record(tx, events, event, row, actor, data(r) as never)
    return r
  })
  svc.flush(events)
  return result
}

export const attachmentOperations = [
  defineOperation({
    name: 'attach',
    method: 'POST',
    auth: 'write',
    summary: 'Attach this element (a modifier or resource) to a target element',
    input: Type.Object(
      {
        ...targetRef,
        priority,
        cascade_policy: cascade,
        version_pin: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const target = await resolveTarget(ctx.elements, ctx.element, ctx.input)
      const opts = {
        priority: ctx.input.priority,
        cascade_policy: ctx.input.cascade_policy,
        version_pin: ctx.input.version_pin ?? null,
      }
      const row = await inTx(
        ctx.elements,
        ctx.element,
        ctx.actor,
        'element.attached',
        (tx) => attach(tx, ctx.element, target, opts),
        (a) => ({ attachment_id: a.id, target_id: target.id }),
      )
      ctx.reply.status(201)
      return { attachment: await presentAttachment(ctx.elements, row, 'target') }
    },
  }),
  defineOperation({
    name: 'detach',
    method: 'POST',
    auth: 'write',
    summary: 'Detach this element from a target element',
    input: Type.Object(targetRef, { additionalProperties: false }),
    async handler(ctx) {
      const target = await resolveTarget(ctx.elements, ctx.element, ctx.input)
      const a = await ctx.elements.records.findAttachment(ctx.element.id, target.id)
      if (!a)
        throw new PlatformError(
          E.ATTACHMENT_NOT_FOUND,
          `"${ctx.element.slug}" is not attached to "${target.slug}"`,
        )
      await inTx(
        ctx.elements,
        ctx.element,
        ctx.actor,
        'element.detached',
        (tx) => tx.deleteAttachment(a.id),
        () => ({ attachment_id: a.id, target_id: target.id }),
      )
      return { detached: true, attachment_id: a.id, target_id: target.id }
    },
  }),
  defineOperation({
    name: 'attachments',
    method: 'GET',
    auth: 'read',
    summary: 'Modifiers and resources attached to this element (is_modifier tells which)',
    allowWhenDisabled: true,
    async handler(ctx) {
      const rows = await ctx.elements.records.listAttachments({ targetId: ctx.element.id })
      const attachments = await Promise.all(rows.map((a) => presentAttachment(ctx.elements, a, 'source')))
      const modifiers = attachments.filter((a) => a.is_modifier).length
      return { attachments, modifiers, resources: attachments.length - modifiers }
    },
  }),
  defineOperation({
    name: 'list_attachments',
    path: 'targets',
    method: 'GET',
    auth: 'read',
    summary: 'Elements this element is attached to',
    allowWhenDisabled: true,
    async handler(ctx) {
      const rows = await ctx.elements.records.listAttachments({ sourceId: ctx.element.id })
      return { targets: await Promise.all(rows.map((a) => presentAttachment(ctx.elements, a, 'target'))) }
    },
  }),
  defineOperation({
    name: 'compose',
    method: 'POST',
    auth: 'execute',
    summary: 'Add modifiers by ref (slug, path or slug@version) and remove attachments by id, atomically',
    input: Type.Object(
      {
        add: Type.Array(
          Type.Object(
            { ref: Type.String({ minLength: 1, maxLength: 300 }), priority, cascade_policy: cascade },
            { additionalProperties: false },
          ),
          {
            default: [],
            maxItems: 100,
          },
        ),
        remove: Type.Array(
          Type.Object(
            { attachment_id: Type.String({ minLength: 1, maxLength: 64 }) },
            { additionalProperties: false },
          ),
          {
            default: [],
            maxItems: 100,
          },
        ),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const svc = ctx.elements
      const target = ctx.element
      const sources = await Promise.all(
        ctx.input.add.map(async (a) => ({ ...a, ...(await resolveRef(svc, target, a.ref)) })),
      )
      const result = await inTx(
        svc,
        target,
        ctx.actor,
        'element.composed',
        async (tx) => {
          const removed: string[] = []
          for (const r of ctx.input.remove) {
            const a = await tx.getAttachment(r.attachment_id)
            if (!a || a.target_id !== target.id)
              throw new PlatformError(
                E.ATTACHMENT_NOT_FOUND,
                `attachment ${r.attachment_id.slice(0, 64)} is not on "${target.slug}"`,
              )
            await tx.deleteAttachment(a.id)
            removed.push(a.id)
          }
          const added: AttachmentRow[] = []
          for (const s of sources)
            added.push(
              await attach(tx, s.row, target, {
                priority: s.priority,
                cascade_policy: s.cascade_policy,
                version_pin: s.pin,
              }),
            )
          return { added, removed }
        },
        (r) => ({ added: r.added.map((a) => a.id), removed: r.removed }),
      )
      return {
        added: await Promise.all(result.added.map((a) => presentAttachment(svc, a, 'source'))),
        removed: result.removed,
      }
    },
  }),
  defineOperation({
    name: 'remove-modifier',
    method: 'POST',
    auth: 'execute',
    summary: 'Remove an attachment from this element by attachment id',
    input: Type.Object(
      { attachment_id: Type.String({ minLength: 1, maxLength: 64 }) },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const a = await ctx.elements.records.getAttachment(ctx.input.attachment_id)
      if (!a || a.target_id !== ctx.element.id)
        throw new PlatformError(
          E.ATTACHMENT_NOT_FOUND,
          `attachment ${ctx.input.attachment_id.slice(0, 64)} is not on "${ctx.element.slug}"`,
        )
      await inTx(
        ctx.elements,
        ctx.element,
        ctx.actor,
        'element.detached',
        (tx) => tx.deleteAttachment(a.id),
        () => ({ attachment_id: a.id, source_id: a.source_id }),
      )
      return { removed: true, attachment_id: a.id }
    },
  }),
]
