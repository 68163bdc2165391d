// Benchmark of agents against the anchors, on SQLite: the platform's overhead per agent
// step — one model call through the `openai` client and the outbound policy, one tool call, the
// trace line — with the scripted model server (test/scripted-model-server.ts) answering at once.
// Overhead = run wall time − the model server's own answering time − the tools' own time, per
// step. Two tools: an engine function (state::get) and a warm Python element (its child run's
// duration is its own time). Then MCP tools/list on 1,000 elements
// (mcp-tools-list.ts) and SMTP message → run started (smtp-to-run.ts). Run: npm run bench:agents. Prints figures; asserts nothing.

import { type ScriptedModelServer, startScriptedModelServer } from '../test/scripted-model-server.ts'
import { startBenchPlatform } from './bench-platform.ts'
import { benchMcpToolsList } from './mcp-tools-list.ts'
import { benchSmtpToRun, printSmtpToRun } from './smtp-to-run.ts'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const f = (n: number, d = 2) => n.toFixed(d)
const splitOf = (rows: number[][]) =>
  `model client ${f(median(rows.map((r) => r[0]!)))} + tool call ${f(median(rows.map((r) => r[1]!)))} + loop/HTTP ${f(median(rows.map((r) => r[2]!)))}`
const STEPS = 20
const RUNS = 15

type Api = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>

async function agentSteps(
  api: Api,
  model: ScriptedModelServer,
  slug: string,
  tool: string,
  args: object,
  runs: number,
  childTime: (id: string) => Promise<number>,
): Promise<{ perStep: number[]; total: number[]; split: number[][] }> {
  const perStep: number[] = []
  const total: number[] = []
  // Per step: model call beyond the server's time, tool call beyond the tool's own, the rest.
  const split: number[][] = []
  for (let i = 0; i < runs + 1; i++) {
    model.script((n) =>
      n === STEPS ? { content: 'done' } : { tool_calls: [{ name: tool, arguments: args }] },
    )
    model.busyMs = 0
    const t0 = performance.now()
    const run = await api('POST', `/api/bench/${slug}/ops/invoke?wait_for_completion=120`, 'go')
    const wall = performance.now() - t0
    if (run['status'] !== 'succeeded') throw new Error(`agent run: ${JSON.stringify(run)}`)
    const steps = (await api('GET', `/api/v1/runs/${run['id']}/steps`))['steps'] as Array<
      Record<string, unknown>
    >
    let toolMs = 0
    let toolCallMs = 0
    for (const s of steps.filter((x) => x['kind'] === 'tool')) {
      toolMs += s['child_run_id'] ? await childTime(String(s['child_run_id'])) : Number(s['duration_ms'])
      toolCallMs += Number(s['duration_ms'])
    }
    const modelCallMs = steps
      .filter((x) => x['kind'] === 'model')
      .reduce((n, x) => n + Number(x['duration_ms']), 0)
    if (i === 0) continue // warm-up: pools, connections, JIT
    total.push(wall)
    perStep.push((wall - model.busyMs - toolMs) / (STEPS + 1))
    split.push([
      (modelCallMs - model.busyMs) / (STEPS + 1),
      (toolCallMs - toolMs) / (STEPS + 1),
      (wall - modelCallMs - toolCallMs) / (STEPS + 1),
    ])
  }
  return { perStep, total, split }
}

async function main() {
  const model = await startScriptedModelServer()
  const bench = await startBenchPlatform('agentbench', {
    PERIODIC_RATE_LIMIT: '0',
    PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${model.port}`,
    PERIODIC_PYTHON_WARM_SANDBOXES: '1',
  })
  const { api } = bench
  try {
    await api('POST', '/api', { element_type: 'circle', slug: 'bench' })
    await api('POST', '/api/bench', {
      element_type: 'python',
      slug: 'echo',
      spec: { source: { type: 'inline', code: 'def handler(input):\n    return input\n' } },
    })
    for (const [slug, tools] of [
      ['fn-agent', ['state::get']],
      ['py-agent', ['bench/echo']],
    ] as const) {
      const r = await api('POST', '/api/bench', {
        element_type: 'agent',
        slug,
        spec: { model: { base_url: model.baseUrl, model: 'scripted' }, tools, max_steps: STEPS + 1 },
      })
      if (!r['id']) throw new Error(`create ${slug}: ${JSON.stringify(r)}`)
    }
    const childTime = async (id: string) =>
      Number((await api('GET', `/api/v1/runs/${id}`))['duration_ms'] ?? 0)
    console.log(`agents — ${STEPS} tool steps + 1 final answer per run, ${RUNS} runs (median)`)
    const fn = await agentSteps(
      api,
      model,
      'fn-agent',
      'state__get',
      { scope: 's', key: 'k' },
      RUNS,
      childTime,
    )
    console.log(
      `  engine-function tool: overhead ${f(median(fn.perStep))} ms/step (anchor < 5)   run ${f(median(fn.total), 1)} ms`,
    )
    console.log(`    per step: ${splitOf(fn.split)}`)
    const py = await agentSteps(api, model, 'py-agent', 'echo', { n: 1 }, Math.ceil(RUNS / 3), childTime)
    console.log(
      `  python-element tool:  overhead ${f(median(py.perStep))} ms/step (anchor < 5, beyond the child run's own time)   run ${f(median(py.total), 1)} ms`,
    )
    console.log(`    per step: ${splitOf(py.split)}`)
  } finally {
    await bench.close()
    await model.close()
  }
  // The MCP endpoint's and the email triggers' sections.
  await benchMcpToolsList()
  printSmtpToRun(await benchSmtpToRun())
}

await main()
