// The JSON body parser: secure-json-parse refuses __proto__ and constructor.prototype keys
// (prototype poisoning), malformed JSON gets INVALID_JSON, nesting beyond MAX_JSON_DEPTH gets
// JSON_TOO_DEEP, and an empty body means "no input".
import type { FastifyInstance } from 'fastify'
import sjson from 'secure-json-parse'
import { E, PlatformError } from '../errors.ts'
import { JSON_DEPTH, jsonTextTooDeep, tooDeepMessage } from '../json-depth.ts'

// Fastify tests a RegExp against the whole header, parameters included ("; charset=...").
const JSON_TYPE = /^application\/([\w.+-]+\+)?json(;|$)/

export function registerJsonParser(app: FastifyInstance): void {
  // Fastify's built-in text/plain parser would hand handlers a string: only JSON is accepted (415).
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    if (jsonTextTooDeep(text))
      return done(new PlatformError(JSON_DEPTH.JSON_TOO_DEEP, tooDeepMessage('the body')), undefined)
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      if (/prototype/i.test(message)) {
        return done(
          new PlatformError(E.FORBIDDEN_KEY, 'the body contains a __proto__ or constructor.prototype key'),
          undefined,
        )
      }
      done(
        new PlatformError(E.INVALID_JSON, `the body is not valid JSON: ${message.slice(0, 200)}`),
        undefined,
      )
    }
  })
}
