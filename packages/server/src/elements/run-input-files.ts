// Files given to a run of a composing type (a workflow, an agent) by a multipart POST
// /api/v1/runs or an email's attachments: the staged files move to the run's input directory
// before the run exists, and each file field of the input becomes a reference the run reads — `.contract` is {name, field, size, content_type, path, run_id}
// (path relative to the run's files: `input/<name>`; the bytes are in GET /api/v1/runs/{id}/files-zip).
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { adoptStagedInputFiles, type IncomingFile, runInputDir, stageInputFiles } from '../runs/run-files.ts'
import type { RunService } from '../runs/run-service.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../storage/storage.ts'
import type { StartRunOptions } from './element.ts'
import { newRunOf } from './new-run.ts'

export interface RunFileRef extends JsonObject {
  name: string
  field: string
  size: number
  content_type: string
  path: string
  run_id: string
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The files a multipart start staged, as the runs API described them in trigger_info. */
function stagedFiles(
  info: JsonObject | null,
): Array<{ field: string; name: string; size: number; content_type: string }> {
  const list = info?.['input_files']
  if (!Array.isArray(list)) return []
  return list.filter(isObject).map((f) => ({
    field: String(f['field']),
    name: String(f['name']),
    size: Number(f['size'] ?? 0),
    content_type: typeof f['content_type'] === 'string' ? f['content_type'] : 'application/octet-stream',
  }))
}

/**
 * Adopts the staged files of `info` for run `runId` and returns the input with one reference per
 * file field (a field of the JSON input by the same name is replaced). An input that is not an
 * object is kept as is; the references are then only in the run's files.
 */
export async function adoptRunInputFiles(
  dataDir: string,
  info: JsonObject | null,
  runId: string,
  input: Json,
): Promise<Json> {
  const token = info?.['input_upload']
  if (typeof token !== 'string') return input
  await adoptStagedInputFiles(dataDir, token, runId)
  const files = stagedFiles(info)
  if (!isObject(input) || files.length === 0) return input
  const out: JsonObject = { ...input }
  for (const f of files) out[f.field] = { ...f, path: `input/${f.name}`, run_id: runId } satisfies RunFileRef
  return out
}

/** The file references of this run inside a value (a step's input to a child run). */
function fileRefsIn(value: Json, runId: string, out: RunFileRef[] = []): RunFileRef[] {
  if (Array.isArray(value)) for (const v of value) fileRefsIn(v, runId, out)
  else if (isObject(value)) {
    if (value['run_id'] === runId && typeof value['path'] === 'string' && value['path'].startsWith('input/'))
      out.push(value as RunFileRef)
    else for (const v of Object.values(value)) fileRefsIn(v, runId, out)
  }
  return out
}

/**
 * Hands the files an input refers to on to a child run (a workflow's `call: periodic`, an agent's tool call):
 * they are staged as that run's input files (it reads them in /periodic/input) and the token goes
 * in its trigger_info, as a multipart start's does. Undefined when the input names none.
 */
export async function stageFilesForChild(
  dataDir: string,
  runId: string,
  input: Json,
): Promise<string | undefined> {
  const refs = fileRefsIn(input, runId)
  if (refs.length === 0) return undefined
  const files: IncomingFile[] = []
  for (const r of refs) {
    const name = r.path.slice('input/'.length)
    if (files.some((f) => f.name === name)) continue
    files.push({ field: r.field, name, data: await readFile(join(runInputDir(dataDir, runId), name)) })
  }
  return stageInputFiles(dataDir, files)
}

/**
 * Creates the `invoke` run of a composing type's element, with the files a multipart start or an
 * email staged (`triggerInfo.input_upload`) moved in place and referenced from the input first.
 */
export async function createRunWithInputFiles(
  runs: RunService,
  dataDir: string,
  element: ElementRow,
  input: Json,
  trigger: string,
  triggerInfo: JsonObject | null,
  opts: StartRunOptions = {},
): Promise<RunRow> {
  const runId = opts.runId ?? (triggerInfo?.['input_upload'] ? randomUUID() : undefined)
  if (runId && triggerInfo?.['input_upload'])
    input = await adoptRunInputFiles(dataDir, triggerInfo, runId, input)
  return runs.create(
    newRunOf(element, 'invoke', input, trigger, triggerInfo, { ...opts, ...(runId ? { runId } : {}) }),
  )
}
