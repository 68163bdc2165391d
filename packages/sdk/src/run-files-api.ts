// Files kept with a run: `client.runs.artifacts` (what the handler wrote under
// PERIODIC_OUTPUT_DIR) and `client.runs.files` (input files, changeable while the run is
// queued), plus the multipart form of `client.run(target, input, { files })`.
import type { components } from './generated/openapi.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'

type Schemas = components['schemas']

/** File contents to upload: a Blob (or File), bytes, or text. */
export type FileContent = Blob | Uint8Array | ArrayBuffer | string

export type RunArtifact = Schemas['RunArtifact']
export type RunArtifactList = Schemas['RunArtifactList']
export type RunInputFile = Schemas['RunInputFile']

const base = (id: string) => `/api/v1/runs/${encodeURIComponent(id)}`

function blobOf(content: FileContent): Blob {
  if (content instanceof Blob) return content
  if (typeof content === 'string') return new Blob([content])
  return new Blob([content instanceof Uint8Array ? new Uint8Array(content) : content])
}

/** A multipart body: plain fields, then one file part per entry (field name = file name). */
export function multipartBody(fields: Record<string, string>, files: Record<string, FileContent>): FormData {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  for (const [name, content] of Object.entries(files)) form.append(name, blobOf(content), name)
  return form
}

async function bytesOf(transport: HttpTransport, path: string, options: RequestOptions): Promise<Uint8Array> {
  const response = await transport.open({
    ...options,
    method: 'GET',
    path,
    headers: { accept: '*/*', ...options.headers },
  })
  return new Uint8Array(await response.arrayBuffer())
}

export class RunArtifactsApi {
  constructor(private readonly transport: HttpTransport) {}

  /** The run's artifacts, by path. */
  async list(id: string, options: RequestOptions = {}): Promise<RunArtifactList> {
    return (
      await this.transport.request<RunArtifactList>({
        ...options,
        method: 'GET',
        path: `${base(id)}/artifacts`,
      })
    ).body
  }

  /** One artifact's bytes (`path` as listed, e.g. `sub/data.json`). */
  download(id: string, path: string, options: RequestOptions = {}): Promise<Uint8Array> {
    // Slashes are encoded too, so no `..` is resolved away by URL parsing: the server judges the path.
    return bytesOf(this.transport, `${base(id)}/artifacts/${encodeURIComponent(path)}`, options)
  }

  /** Every artifact as one zip archive. */
  downloadZip(id: string, options: RequestOptions = {}): Promise<Uint8Array> {
    return bytesOf(this.transport, `${base(id)}/files-zip`, options)
  }
}

export class RunFilesApi {
  constructor(private readonly transport: HttpTransport) {}

  async list(id: string, options: RequestOptions = {}): Promise<RunInputFile[]> {
    const r = await this.transport.request<Schemas['RunInputFileList']>({
      ...options,
      method: 'GET',
      path: `${base(id)}/files`,
    })
    return r.body.files
  }

  /** Adds input files to a queued run (`{name: content}`); 409 ConflictError once it started. */
  async upload(
    id: string,
    files: Record<string, FileContent>,
    options: RequestOptions = {},
  ): Promise<RunInputFile[]> {
    const r = await this.transport.request<Schemas['RunInputFileList']>({
      ...options,
      method: 'POST',
      path: `${base(id)}/files`,
      body: multipartBody({}, files),
    })
    return r.body.files
  }

  /** Deletes an input file of a queued run. */
  async delete(id: string, name: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.request({
      ...options,
      method: 'DELETE',
      path: `${base(id)}/files/${encodeURIComponent(name)}`,
    })
  }
}
