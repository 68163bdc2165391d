// A tiny scripted HTTP server for the client's own behaviour (retries, timeouts, long polls,
// streams) where the real server cannot be made to misbehave on cue. Records every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export type FakeHandler = (req: RecordedRequest, res: ServerResponse, index: number) => void | Promise<void>

export interface FakeServer {
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      Promise.resolve(handler(recorded, res, requests.length - 1)).catch((error) => {
        res.statusCode = 599
        res.end(String(error))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

export function envelope(code: string, message: string, extra: { retryable?: boolean; class?: string } = {}) {
  return {
    error: {
      code,
      message,
      class: extra.class ?? 'internal',
      retryable: extra.retryable ?? true,
      details: {},
    },
    request_id: 'req-from-body',
  }
}
