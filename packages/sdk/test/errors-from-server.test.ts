// Each error subclass from a real server's real responses, with the code, status, request id
// and envelope the server sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import {
  AuthError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PeriodicClient,
  PeriodicError,
  ValidationError,
} from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

beforeAll(async () => {
  server = await startTestServer()
  await server.createCircle('acme')
  client = new PeriodicClient({
    baseUrl: server.url,
    apiKey: server.adminKey,
    retryTiming: { baseDelayMs: 1 },
  })
  await client.elements.create('acme', { element_type: 'variable', slug: 'greeting', spec: { value: 'hi' } })
})

afterAll(async () => {
  await server?.close()
})

async function failure(promise: Promise<unknown>): Promise<PeriodicError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof PeriodicError)) throw new Error(`expected a PeriodicError, got ${String(error)}`)
  return error
}

describe('errors from a real server', () => {
  it('401 with a bad key is an AuthError with AUTH_INVALID', async () => {
    const bad = new PeriodicClient({ baseUrl: server.url, apiKey: 'pk_nope' })
    const error = await failure(bad.elements.get('acme/greeting'))
    expect(error).toBeInstanceOf(AuthError)
    expect(error.status).toBe(401)
    expect(error.code).toBe('AUTH_INVALID')
    expect(error.envelope?.error.class).toBe('auth')
  })

  it('401 without a key is AUTH_REQUIRED', async () => {
    const anonymous = new PeriodicClient({ baseUrl: server.url })
    const error = await failure(anonymous.elements.get('acme/greeting'))
    expect(error).toBeInstanceOf(AuthError)
    expect(error.code).toBe('AUTH_REQUIRED')
  })

  it('403 for a missing scope is a ForbiddenError naming the scope', async () => {
    const readKey = await server.createKey('acme', ['read'])
    const reader = new PeriodicClient({ baseUrl: server.url, apiKey: readKey })
    const error = await failure(reader.elements.update('acme/greeting', { spec: { value: 'x' } }))
    expect(error).toBeInstanceOf(ForbiddenError)
    expect(error.status).toBe(403)
    expect(error.details['required_scope']).toBe('write')
  })

  it('404 is a NotFoundError', async () => {
    const error = await failure(client.elements.get('acme/nope'))
    expect(error).toBeInstanceOf(NotFoundError)
    expect(error.status).toBe(404)
    expect(error.code).toMatch(/NOT_FOUND$/)
  })

  it('400 is a ValidationError with the field in details', async () => {
    const error = await failure(
      client.elements.create('acme', { element_type: 'variable', slug: 'Bad Slug!' }),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.status).toBe(400)
    expect(error.code).toBe('INVALID_SLUG')
    expect(error.retryable).toBe(false)
  })

  it('409 for a taken slug is a ConflictError, thrown at once', async () => {
    const started = Date.now()
    const error = await failure(
      client.elements.create('acme', { element_type: 'variable', slug: 'greeting' }),
    )
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.code).toBe('SLUG_TAKEN')
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('409 VERSION_CONFLICT carries the current version and is not retried', async () => {
    const current = await client.elements.get('acme/greeting')
    const error = await failure(
      client.elements.update('acme/greeting', {
        spec: { value: 'x' },
        expected_version: current.version + 5,
      }),
    )
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.code).toBe('VERSION_CONFLICT')
    expect(error.details['current_version']).toBe(current.version)
    // Not retried: a retry would have left the element where it was anyway, but the version
    // must not have moved either.
    expect((await client.elements.get('acme/greeting')).version).toBe(current.version)
  })

  it('takes the request id from the x-request-id header, the same as the body', async () => {
    const error = await failure(client.elements.get('acme/nope'))
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(error.requestId).toBe(error.envelope?.request_id)
    expect(error.message).toContain(error.code)
  })
})
