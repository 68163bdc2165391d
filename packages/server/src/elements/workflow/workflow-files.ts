// Files given to a workflow run (a multipart POST /api/v1/runs): the staged files move to the
// run's input directory before the run exists, and each file field of the input becomes a
// reference the definition reads — `.contract` is {name, field, size, content_type, path, run_id}
// (path relative to the run's files: `input/<name>`; the bytes are in GET /api/v1/runs/{id}/files-zip).
import { adoptStagedInputFiles } from '../../runs/run-files.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'

export interface WorkflowFileRef extends JsonObject {
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
export async function adoptWorkflowFiles(
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
  for (const f of files)
    out[f.field] = { ...f, path: `input/${f.name}`, run_id: runId } satisfies WorkflowFileRef
  return out
}
