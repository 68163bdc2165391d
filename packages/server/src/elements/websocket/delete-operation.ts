// Deleting a websocket element destroys its data key too, so its sealed JWT secret (in the row
// and in every version) can never be opened again.
import { forgetSecrets } from '../../secrets/secrets-of.ts'
import type { OperationDef } from '../element.ts'
import { genericOperations } from '../generic/index.ts'

const genericDelete = genericOperations.find((o) => o.name === 'delete' && o.method === 'DELETE')
if (!genericDelete) throw new Error('generic operation DELETE delete is missing')

export const deleteOperation: OperationDef = {
  ...genericDelete,
  summary:
    'Soft-delete the endpoint and destroy its data key (the sealed JWT secret) (requires {"confirm": true})',
  async handler(ctx) {
    const result = await genericDelete.handler(ctx)
    await forgetSecrets(ctx, ctx.element.id)
    return result
  },
}
