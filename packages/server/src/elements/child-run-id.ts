// The id of a run another run starts (a workflow step's call, an agent's tool call), derived from
// the parent run and a key of the call: the same call always names the same child, so a resumed
// parent finds the run it started instead of starting another.
import { createHash } from 'node:crypto'

/** A UUID (version-5 shaped) derived from the parent run and the call's key. */
export function childRunId(runId: string, stepKey: string): string {
  const h = createHash('sha256').update(`${runId}\n${stepKey}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}
