// "This element's run `id` (of this operation), or RUN_NOT_FOUND": the one lookup behind every
// python operation that takes a run id in its path.
import { PlatformError } from '../../errors.ts'
import type { RunRow } from '../../storage/storage.ts'
import { isUuid } from '../../uuid.ts'
import type { OperationContext } from '../element.ts'
import { PY } from './spec.ts'

export async function runOfElement(
  ctx: OperationContext<unknown>,
  id: string,
  operation?: string,
): Promise<RunRow> {
  const run = isUuid(id) ? await ctx.runs.get(id) : undefined
  if (!run || run.element_id !== ctx.element.id || (operation !== undefined && run.operation !== operation))
    throw new PlatformError(
      PY.RUN_NOT_FOUND,
      `no ${operation === 'test' ? 'test run' : 'run'} ${id.slice(0, 64)} for "${ctx.element.slug}"`,
    )
  return run
}
