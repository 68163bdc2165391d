// Large step values stay out of the step table: an input or output over 256 KiB of JSON is
// written as an artifact of the run (`output/<step>-<seq>.output.json`, listed and downloadable
// with the run's artifacts) and the record holds a reference; a resumed run reads it back. A value
// over 128 MiB fails its step: the run's data is held in memory.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runOutputDir } from '../../runs/run-files.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { fault } from '../../workflows/dsl-faults.ts'
import type { StepRecord } from '../../workflows/workflow-host.ts'

export const STEP_VALUE_LIMITS = { inlineBytes: 256 * 1024, maxBytes: 128 * 1024 * 1024 }

type Spillable = StepRecord & { seq: number }

const isRef = (v: Json): v is JsonObject =>
  !!v && typeof v === 'object' && !Array.isArray(v) && typeof v['$artifact'] === 'string'

/** The record with its large input and output written as artifacts (references in their place). */
export async function spillLargeValues(dataDir: string, runId: string, step: Spillable): Promise<Spillable> {
  let out = step
  for (const field of ['input', 'output'] as const) {
    const value = out[field]
    if (value === null || typeof value !== 'object' || isRef(value)) continue
    const text = JSON.stringify(value)
    if (text.length <= STEP_VALUE_LIMITS.inlineBytes) continue
    if (text.length > STEP_VALUE_LIMITS.maxBytes)
      throw fault(
        'runtime',
        `the ${field} of step ${step.name} is ${text.length} bytes, over ${STEP_VALUE_LIMITS.maxBytes}`,
        step.position,
        {
          code: 'WORKFLOW_STEP_TOO_LARGE',
        },
      )
    const file = `${step.name.replace(/[^\w.-]+/g, '_').slice(0, 80)}-${step.seq}.${field}.json`
    const dir = runOutputDir(dataDir, runId)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, file), text)
    out = { ...out, [field]: { $artifact: `output/${file}`, bytes: text.length, stepName: step.name } }
  }
  return out
}

/** Steps as recorded, with spilled values read back (a resumed run replays real data). */
export async function loadSpilledValues(
  dataDir: string,
  runId: string,
  steps: Spillable[],
): Promise<Spillable[]> {
  return Promise.all(
    steps.map(async (s) => {
      let out = s
      for (const field of ['input', 'output'] as const) {
        const v = out[field]
        if (!isRef(v)) continue
        const name = String(v['$artifact']).replace(/^output\//, '')
        const text = await readFile(join(runOutputDir(dataDir, runId), name), 'utf8')
        out = { ...out, [field]: JSON.parse(text) as Json }
      }
      return out
    }),
  )
}
