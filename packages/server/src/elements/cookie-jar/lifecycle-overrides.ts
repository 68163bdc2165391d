// The generic update, restore and delete, adapted to a jar: its spec is derived from sealed
// state and never written directly; cookies are not versioned history (old sets are old
// credentials), so restore brings back name and intention only; delete shreds the secrets.
import { E, PlatformError } from '../../errors.ts'
import { forgetSecrets } from '../../secrets/secrets-of.ts'
import type { JsonObject } from '../../storage/storage.ts'
import type { OperationDef } from '../element.ts'
import { genericOperations } from '../generic/index.ts'
import { JAR } from './jar-errors.ts'
import { type JarOperation, jarOperation } from './jar-operation.ts'
import { jarTables } from './jar-tables.ts'

function generic(name: string, method: string): OperationDef {
  const op = genericOperations.find((o) => o.name === name && o.method === method)
  if (!op) throw new Error(`generic operation ${method} ${name} is missing`)
  return op
}

const genericUpdate = generic('update', 'PATCH')
const genericDelete = generic('delete', 'DELETE')
const genericRestore = generic('restore', 'POST')

export const lifecycleOverrides: JarOperation[] = [
  {
    ...genericUpdate,
    summary: 'Update name or intention (the spec is maintained by the jar’s operations)',
    description:
      'A spec in the body may only repeat current values (JAR_SPEC_MANAGED otherwise): cookies change through import/set/delete/clear/prune, the attachment through attach/detach.',
    async handler(ctx) {
      const input = { ...(ctx.input as JsonObject) }
      const spec = input['spec'] as JsonObject | undefined
      for (const [key, value] of Object.entries(spec ?? {})) {
        if (JSON.stringify(ctx.element.spec[key]) !== JSON.stringify(value))
          throw new PlatformError(
            JAR.JAR_SPEC_MANAGED,
            key === 'cookies'
              ? 'cookies are sealed outside the spec: use ops/import, ops/set, ops/delete, ops/clear or ops/prune'
              : `spec.${key} is maintained by the jar's operations and cannot be updated`,
            { field: `spec.${key}` },
          )
      }
      delete input['spec']
      delete input['deep']
      return genericUpdate.handler({ ...ctx, input })
    },
  },
  jarOperation({
    ...(genericRestore as OperationDef<never>),
    summary: 'Restore the name and intention of an earlier version (cookies are not versioned)',
    async handler(ctx) {
      const version = (ctx.input as { version: number }).version
      const target =
        version <= ctx.element.version
          ? await ctx.elements.records.getVersion(ctx.element.id, version)
          : undefined
      if (!target)
        throw new PlatformError(
          E.VERSION_NOT_FOUND,
          `version ${version} of "${ctx.element.slug}" does not exist`,
          {
            version,
          },
        )
      const row = await ctx.elements.update(
        ctx.element,
        {
          name: target.name,
          intention: target.intention,
          message: `Restored name and intention from v${version} (cookies are not versioned)`,
        },
        ctx.actor,
      )
      return ctx.elements.present(row)
    },
  }),
  {
    ...genericDelete,
    summary: 'Soft-delete the jar and destroy its sealed cookies and data key (requires {"confirm": true})',
    async handler(ctx) {
      const result = await genericDelete.handler(ctx)
      // After the element is gone: its state row (and the browser claim) and data key go too,
      // so the sealed cookies can never be opened again.
      await ctx.elements.storeOf(jarTables).delete(ctx.element.id)
      await forgetSecrets(ctx, ctx.element.id)
      ctx.runtime.metrics.forget(ctx.element.id)
      return result
    },
  },
]
