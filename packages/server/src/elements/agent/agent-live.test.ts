// Agent runs while they run, on every storage kind: the model's text streamed into the run's
// events as it arrives, cancel (of a model call held open, and of a tool run in flight), and
// input files of a multipart start handed on to a tool. The model is the scripted server
// (test/scripted-model-server.ts), standing in for an external OpenAI-compatible endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ScriptedModelServer, startScriptedModelServer } from '../../../test/scripted-model-server.ts'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { createPython, pollRun, startRun } from '../../http/runs-api/runs-api-helpers.ts'

const SLOW = 'import time\ndef handler(input):\n    time.sleep(60)\n    return {}\n'
const READER = 'def handler(input):\n    return {"text": open(input["files"]["doc"]).read()}\n'

async function until<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`never: ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.each(storageKinds())('agent runs live (%s)', (storage) => {
  let s: TestServer
  let model: ScriptedModelServer

  beforeAll(async () => {
    model = await startScriptedModelServer()
    s = await startTestServer({ storage, env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${model.port}` } })
    await s.createCircle('acme')
    await createPython(s, 'acme', 'slow', SLOW)
    await createPython(s, 'acme', 'reader', READER)
    const r = await s.api('POST', '/api/acme', {
      element_type: 'agent',
      slug: 'helper',
      spec: { model: { base_url: model.baseUrl, model: 'scripted' }, tools: ['slow', 'reader'] },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
  }, 120_000)

  afterAll(async () => {
    await s?.close()
    await model?.close()
  })

  it('streams the model’s text into the run’s events as it arrives', async () => {
    let release = () => {}
    const held = new Promise<void>((r) => {
      release = r
    })
    model.script([{ chunks: ['Hello from the model\n', 'and the rest.'], holdAfterFirst: held }])
    const id = await startRun(s, 'acme/helper', 'hi')
    const res = await fetch(`${s.url}/api/v1/runs/${id}/events`, {
      headers: { authorization: `Bearer ${s.adminKey}` },
    })
    const reader = res.body!.getReader()
    let text = ''
    // The first line arrives while the model still holds the rest of its answer.
    await until('the first streamed line', async () => {
      const { value } = await reader.read()
      text += new TextDecoder().decode(value)
      return text.includes('"stream":"model","line":"Hello from the model"')
    })
    expect((await s.api('GET', `/api/v1/runs/${id}`)).body.status).toBe('running')
    release()
    await reader.cancel()
    const run = await pollRun(s, id)
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { text: 'Hello from the model\nand the rest.' },
    })
  }, 60_000)

  it('cancel aborts a model call in flight', async () => {
    model.script([{ hang: true }])
    const before = model.aborted
    const id = await startRun(s, 'acme/helper', 'wait')
    await until('the model was called', () =>
      model.requests.some((r) => r.body.messages.at(-1)?.content === 'wait'),
    )
    const c = await s.api('POST', `/api/v1/runs/${id}/cancel`)
    expect(c.body.status).toBe('cancelled')
    await until('the model request was aborted', () => model.aborted > before)
  }, 60_000)

  it('cancel cancels the tool runs in flight', async () => {
    model.script([{ tool_calls: [{ name: 'slow', arguments: {} }] }, { content: 'never' }])
    const id = await startRun(s, 'acme/helper', 'slow please')
    const child = await until('the tool run is running', async () => {
      const list = await s.api('GET', '/api/v1/runs?target=acme/slow&status=running')
      return list.body.runs?.find((r: { trigger: string }) => r.trigger === 'agent')?.id as string | undefined
    })
    const c = await s.api('POST', `/api/v1/runs/${id}/cancel`)
    expect(c.body.status).toBe('cancelled')
    const ended = await pollRun(s, child)
    expect(ended.status).toBe('cancelled')
  }, 90_000)

  it('hands the files of a multipart start on to a tool', async () => {
    model.script((n, req) => {
      if (n > 0) return { content: String(req.body.messages.at(-1)!.content) }
      const user = String(req.body.messages.find((m) => m.role === 'user')!.content)
      expect(user).toContain('input/notes.txt')
      const input = JSON.parse(user.split('\n\nInput files')[0]!)
      return { tool_calls: [{ name: 'reader', arguments: { doc: input.doc } }] }
    })
    const form = new FormData()
    form.append('target', 'acme/helper')
    form.append('input', JSON.stringify({ task: 'read it' }))
    form.append('doc', new Blob(['file body']), 'notes.txt')
    const res = await fetch(`${s.url}/api/v1/runs?wait_for_completion=60`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminKey}` },
      body: form,
    })
    const run = (await res.json()) as { status: string; output: unknown }
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { text: JSON.stringify({ text: 'file body' }) },
    })
  }, 60_000)
})
