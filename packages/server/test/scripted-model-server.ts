// A scripted OpenAI-compatible chat-completions server for tests and benchmarks. It STANDS IN FOR
// THE EXTERNAL MODEL (OpenAI, Ollama, vLLM, llama.cpp server): the real `openai` client talks to it
// over HTTP, it answers each POST /v1/chat/completions with the next scripted reply (tool calls or
// final text; streamed as server-sent events when asked, with usage when asked), and it records
// every request it was sent (headers and body) so a test can check what the model received.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ScriptedReply {
  /** Final text (or text beside tool calls). */
  content?: string
  /** Sent in these pieces when streaming (default: `content` in one piece). */
  chunks?: string[]
  tool_calls?: Array<{ name: string; arguments: unknown; id?: string }>
  /** Token usage reported (default 10 + 5); null: none at all (servers that send no usage). */
  usage?: { prompt_tokens: number; completion_tokens: number } | null
  /** Never answer: the request hangs until the client aborts it. */
  hang?: boolean
  /** Streaming: after the first chunk, wait for this before the rest. */
  holdAfterFirst?: Promise<void>
  /** Answer this HTTP error status instead. */
  status?: number
}

export interface RecordedRequest {
  headers: IncomingMessage['headers']
  body: {
    model: string
    messages: Array<{ role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }>
    tools?: Array<{ function: { name: string; description?: string; parameters?: unknown } }>
    stream?: boolean
    [k: string]: unknown
  }
}

export interface ScriptedModelServer {
  /** The API root to configure as `base_url` (ends in /v1). */
  baseUrl: string
  port: number
  requests: RecordedRequest[]
  /** Requests the client aborted while the server held them. */
  aborted: number
  /** Time spent answering, body read to response end, summed (benchmarks subtract it). */
  busyMs: number
  /** Replaces the script (the next request takes the first reply). */
  script(replies: ScriptedReply[] | ((n: number, req: RecordedRequest) => ScriptedReply)): void
  close(): Promise<void>
}

type Script = (n: number, req: RecordedRequest) => ScriptedReply

export async function startScriptedModelServer(
  replies: ScriptedReply[] | Script = [],
): Promise<ScriptedModelServer> {
  let script: Script = asScript(replies)
  let n = 0
  const server = createServer((req, res) => void handle(req, res))
  const self: ScriptedModelServer = {
    baseUrl: '',
    port: 0,
    requests: [],
    aborted: 0,
    busyMs: 0,
    script(r) {
      script = asScript(r)
      n = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const t0 = performance.now()
    res.once('finish', () => {
      self.busyMs += performance.now() - t0
    })
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end()
      return
    }
    const recorded: RecordedRequest = {
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    }
    self.requests.push(recorded)
    const reply = script(n++, recorded)
    if (reply.hang) {
      res.on('close', () => self.aborted++)
      return
    }
    if (reply.status) {
      res.writeHead(reply.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: 'scripted failure', type: 'server_error' } }))
      return
    }
    const usage =
      reply.usage === null
        ? undefined
        : (({ prompt_tokens, completion_tokens }) => ({
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens + completion_tokens,
          }))(reply.usage ?? { prompt_tokens: 10, completion_tokens: 5 })
    const calls = (reply.tool_calls ?? []).map((c, i) => ({
      id: c.id ?? `call_${n}_${i}`,
      type: 'function' as const,
      function: {
        name: c.name,
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
      },
    }))
    const finish = calls.length ? 'tool_calls' : 'stop'
    const base = { id: `chatcmpl-${n}`, created: Math.floor(Date.now() / 1000), model: recorded.body.model }
    if (!recorded.body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: reply.content ?? null,
                ...(calls.length ? { tool_calls: calls } : {}),
              },
              finish_reason: finish,
            },
          ],
          ...(usage ? { usage } : {}),
        }),
      )
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const send = (delta: object, finish_reason: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason }] })}\n\n`,
      )
    const pieces = reply.chunks ?? (reply.content ? [reply.content] : [])
    for (const [i, piece] of pieces.entries()) {
      send(i === 0 ? { role: 'assistant', content: piece } : { content: piece })
      if (i === 0 && reply.holdAfterFirst) await reply.holdAfterFirst
    }
    // Tool calls arrive split as real servers send them: the name first, the arguments after.
    for (const [index, c] of calls.entries()) {
      send({
        tool_calls: [
          { index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } },
        ],
      })
      send({ tool_calls: [{ index, function: { arguments: c.function.arguments } }] })
    }
    send({}, finish)
    const include = (recorded.body['stream_options'] as { include_usage?: boolean } | undefined)
      ?.include_usage
    if (usage && include)
      res.write(
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
      )
    res.end('data: [DONE]\n\n')
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  self.port = (server.address() as AddressInfo).port
  self.baseUrl = `http://127.0.0.1:${self.port}/v1`
  return self
}

function asScript(replies: ScriptedReply[] | Script): Script {
  if (typeof replies === 'function') return replies
  return (n) => replies[n] ?? { content: 'out of script' }
}
