// The websocket element's error codes (the four of the reference text, plus the room and link
// refusals a caller needs to tell apart).
import { defineErrorCodes } from '../../errors.ts'

export const WS = defineErrorCodes({
  WS_CONNECTION_FAILED: {
    status: 502,
    class: 'internal',
    retryable: true,
    description: 'WebSocket connection could not be established (the driven link is down or unreachable).',
  },
  WS_MESSAGE_TOO_LARGE: {
    status: 413,
    class: 'limit',
    retryable: false,
    description:
      'Message exceeds connection.max_message_bytes; a client sending one is closed with 1009 and this reason.',
  },
  WS_CONNECTION_NOT_FOUND: {
    status: 404,
    class: 'validation',
    retryable: false,
    description: 'Target connection_id not found or already closed.',
  },
  WS_MAX_CONNECTIONS_REACHED: {
    status: 503,
    class: 'limit',
    retryable: true,
    description:
      'max_connections reached; the client is closed with 1013 and this reason (browsers cannot read a refused upgrade).',
  },
  WS_ROOM_NOT_ALLOWED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'Rooms are disabled on this element, the room is not in rooms.allowed, or the connection is in connection.max_rooms rooms already.',
  },
  WS_UNAUTHORIZED: {
    status: 401,
    class: 'auth',
    retryable: false,
    description:
      'The upgrade carried no valid token or JWT for spec.auth; refused with 401 before the handshake.',
  },
  WS_AUTH_THROTTLED: {
    status: 429,
    class: 'limit',
    retryable: true,
    description:
      'Too many failed upgrade tokens, JWTs or tickets from this client address (--ws-auth-failures a minute); refused with 429 and Retry-After until the back-off ends.',
  },
  WS_NOT_DRIVEN: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'send without connection_id writes to the driven link, and this element has no spec.url.',
  },
  WS_HANDLER_UNAVAILABLE: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'spec.handlers names an element that does not exist in the circle, is disabled or cannot be invoked.',
  },
  WS_HANDLER_FORBIDDEN: {
    status: 403,
    class: 'forbidden',
    retryable: false,
    description:
      'The API key that wrote the element’s current version (and so wired its handlers) was revoked or no longer holds "execute"; the handler does not run. Save the spec again with an execute key.',
  },
  WS_HANDLER_TIMEOUT: {
    status: 504,
    class: 'timeout',
    retryable: true,
    description:
      'The handler run did not finish within handlers.timeout_ms (the run goes on; its reply is dropped).',
  },
})
