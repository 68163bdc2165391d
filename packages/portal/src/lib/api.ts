// Requests the SDK has no method for (it covers elements, runs, workflows): same key, same
// error envelope. Errors are thrown as ApiError with the catalogue code, message and details,
// which views show as they are ("every error shows the code and message").
import { session } from './session.svelte.ts'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

/** An error of any kind as `{ code, message, details }` for display. */
export function describeError(e: unknown): {
  code: string
  message: string
  details: Record<string, unknown>
} {
  if (e instanceof ApiError) return { code: e.code, message: e.message, details: e.details }
  const err = e as { code?: unknown; message?: unknown; details?: unknown }
  return {
    code: typeof err?.code === 'string' ? err.code : 'ERROR',
    message: typeof err?.message === 'string' ? err.message : String(e),
    details: (err?.details as Record<string, unknown>) ?? {},
  }
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.key ?? ''}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  const parsed = text ? JSON.parse(text) : undefined
  if (!res.ok) {
    const e = parsed?.error ?? {}
    throw new ApiError(
      res.status,
      e.code ?? `HTTP_${res.status}`,
      e.message ?? res.statusText,
      e.details ?? {},
    )
  }
  return parsed as T
}
