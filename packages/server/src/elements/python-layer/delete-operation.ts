// Deleting a python-layer that python elements of its circle still name in spec.layers is
// refused with 409 PYTHON_LAYER_IN_USE naming them: their next worker start would fail. (A
// reference written at the very moment of the delete can still slip past; its runs then fail
// with PYTHON_LAYER_NOT_FOUND.)
import { defineErrorCodes, PlatformError } from '../../errors.ts'
import type { ElementsPort, OperationDef } from '../element.ts'
import { genericOperations } from '../generic/index.ts'

export const PYTHON_LAYER_ERRORS = defineErrorCodes({
  PYTHON_LAYER_IN_USE: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'The python-layer is named in spec.layers of python elements of its circle (details.used_by); change their layers first.',
  },
})

const genericDelete = genericOperations.find((o) => o.name === 'delete' && o.method === 'DELETE')
if (!genericDelete) throw new Error('generic operation DELETE delete is missing')

/** Slugs of the circle's python elements whose spec.layers name the layer `slug`. */
export async function layerUsers(elements: ElementsPort, circleId: string, slug: string): Promise<string[]> {
  const rows = await elements.records.listCircleElements(circleId)
  // Entries were resolved when written, and slugs are unique per circle: the last path segment
  // (before any @version) is the layer's slug.
  const names = (entry: unknown) =>
    typeof entry === 'string' && entry.split('@')[0]!.split('/').at(-1) === slug
  return rows
    .filter(
      (r) => r.element_type === 'python' && Array.isArray(r.spec['layers']) && r.spec['layers'].some(names),
    )
    .map((r) => r.slug)
}

export const deleteOperation: OperationDef = {
  ...genericDelete,
  summary:
    'Soft-delete the layer (requires {"confirm": true}; refused while python elements name it in spec.layers)',
  async handler(ctx) {
    if ((ctx.input as { confirm?: boolean }).confirm === true) {
      const users = await layerUsers(ctx.elements, ctx.element.circle_id, ctx.element.slug)
      if (users.length > 0)
        throw new PlatformError(
          PYTHON_LAYER_ERRORS.PYTHON_LAYER_IN_USE,
          `"${ctx.element.slug}" is a layer of ${users.map((u) => `"${u}"`).join(', ')}; remove it from their spec.layers first`,
          { used_by: users },
        )
    }
    return genericDelete.handler(ctx)
  },
}
