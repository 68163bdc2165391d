// A run taken from the durable queue executes the definition it was created for (its Source
// commit, or its element version), not whatever the element row holds when a node takes it.
import type { ElementRow, RunRow } from '../../storage/storage.ts'
import type { PlatformContext } from '../element.ts'
import { elementOfRun } from '../source/element-at-ref.ts'
import { asRunError } from './run-error-of.ts'

/** Launches `run` on its own definition; a definition that cannot be read ends the run failed. */
export function resumeQueuedRun(
  p: PlatformContext,
  element: ElementRow,
  run: RunRow,
  launch: (element: ElementRow) => void,
  abandon: () => void,
): void {
  elementOfRun(p.elements, element, run).then(launch, async (err: unknown) => {
    abandon()
    await p.runs
      .finishUnstarted(run, 'failed', asRunError(err))
      .catch((e: unknown) => p.log.error({ err: e, run: run.id }, 'failing a queued run failed'))
  })
}
