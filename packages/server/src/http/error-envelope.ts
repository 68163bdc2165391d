// Turns any thrown error into the one wire shape:
// {"error":{"code","message","class","retryable","details"},"request_id"}. Framework 4xx errors
// are mapped onto catalogue codes; anything else is a logged 500 INTERNAL without internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { E, type ErrorCodeDef, PlatformError } from '../errors.ts'

const FASTIFY_CODES: Record<string, ErrorCodeDef> = {
  FST_ERR_CTP_BODY_TOO_LARGE: E.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: E.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: E.VALIDATION_FAILED,
  FST_ERR_CTP_EMPTY_JSON_BODY: E.INVALID_JSON,
  FST_ERR_CTP_INVALID_JSON_BODY: E.INVALID_JSON,
  FST_ERR_VALIDATION: E.VALIDATION_FAILED,
  FST_ERR_NOT_FOUND: E.NOT_FOUND,
}

const BY_STATUS: Record<number, ErrorCodeDef> = {
  400: E.VALIDATION_FAILED,
  401: E.AUTH_REQUIRED,
  403: E.FORBIDDEN,
  404: E.NOT_FOUND,
  405: E.METHOD_NOT_ALLOWED,
  413: E.PAYLOAD_TOO_LARGE,
  415: E.UNSUPPORTED_MEDIA_TYPE,
  429: E.RATE_LIMITED,
}

export function toPlatformError(err: unknown): PlatformError {
  if (err instanceof PlatformError) return err
  const fe = err as Partial<FastifyError>
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined
  if (mapped) return new PlatformError(mapped, fe.message)
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500
  if (status >= 400 && status < 500)
    return new PlatformError(BY_STATUS[status] ?? E.VALIDATION_FAILED, fe.message ?? 'bad request')
  if (isConnectionError(err)) return new PlatformError(E.STORAGE_UNAVAILABLE)
  if (isNulRefusal(err))
    return new PlatformError(E.VALIDATION_FAILED, 'text fields cannot contain NUL (U+0000) characters', {
      rule: 'no_nul',
    })
  return new PlatformError(E.INTERNAL)
}

/** PostgreSQL refusing a NUL in a text value (22021): the caller's input, not the server's fault. */
function isNulRefusal(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown }
  return e?.code === '22021' && typeof e.message === 'string' && e.message.includes('0x00')
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return code === 'ECONNREFUSED' || code === '57P01' || code === 'SQLITE_BUSY' || code === 'ETIMEDOUT'
}

export function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const pe = toPlatformError(err)
  if (pe.status >= 500) req.log.error({ err }, 'request failed')
  if (pe.code === 'RATE_LIMITED' && typeof pe.details['retry_after'] === 'number') {
    reply.header('retry-after', String(Math.ceil(pe.details['retry_after'])))
  } else if (pe.code === 'RATE_LIMITED' && typeof pe.details['retry_after_ms'] === 'number') {
    // Retry-After is whole seconds; never 0, which clients read as "retry at once".
    reply.header('retry-after', String(Math.max(1, Math.ceil(pe.details['retry_after_ms'] / 1000))))
  }
  return reply
    .code(pe.status)
    .type('application/json; charset=utf-8')
    .send({ error: pe.toJSON(), request_id: req.id })
}
