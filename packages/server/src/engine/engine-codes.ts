// Catalogue codes of the engine's HTTP surface (http triggers at /http/{circle}{api_path}).
import { defineErrorCodes } from '../errors.ts'

export const ENGINE = defineErrorCodes({
  ENGINE_ROUTE_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No http trigger of the circle matches this method and path.',
  },
  ENGINE_SIGNATURE_INVALID: {
    status: 401,
    class: 'auth',
    retryable: false,
    description:
      'The http trigger wants an HMAC signature: x-iii-signature (sha256=hex of "{timestamp}:{base64 body}") and a recent x-iii-timestamp.',
  },
  ENGINE_FUNCTION_FAILED: {
    status: 502,
    class: 'unavailable',
    retryable: false,
    description: 'The function behind the http trigger failed; details carry its error code.',
  },
  ENGINE_FUNCTION_UNAVAILABLE: {
    status: 503,
    class: 'unavailable',
    retryable: true,
    description: 'The function behind the http trigger is not registered (its worker is gone).',
  },
  ENGINE_CHANNEL_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No data channel with this id (it was closed, expired or never created).',
  },
  ENGINE_CHANNEL_END_CONNECTED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'This end (read or write) of the data channel is already connected or finished.',
  },
  ENGINE_TIMEOUT: {
    status: 504,
    class: 'timeout',
    retryable: true,
    description: 'The function behind the http trigger did not answer in time.',
  },
})
