// The agent type's runtime: starts runs (`invoke`, email triggers, the runs API), resolves the
// agent's tools, talks to its model through the outbound policy and runs the loop (agent-loop.ts)
// with the limits of its spec; cancel aborts the model request and cancels the tool runs in
// flight. Agent runs are not resumed from the durable queue: a run whose node dies ends failed
// (RUN_NODE_LOST, by the queue's recovery), and one a shutting-down server stops, AGENT_INTERRUPTED.
import { OutboundPolicy } from '../../net/outbound-policy.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import type { PlatformContext, StartRunOptions, TypeRuntime, WriteTarget } from '../element.ts'
import { createRunWithInputFiles } from '../run-input-files.ts'
import { StarterRefused, starterActor } from '../run-starter.ts'
import { AgentRecorder, readTrace } from './agent-artifacts.ts'
import { AGENT } from './agent-errors.ts'
import { AgentStop, runAgentLoop } from './agent-loop.ts'
import { modelClient } from './agent-model.ts'
import { agentPrompt } from './agent-prompt.ts'
import { type ToolEnv, ToolSpecError } from './agent-tools.ts'
import { resolveAgentTools, verifyAgentTools } from './resolve-tools.ts'
import { type AgentSpec, openAgentSecret } from './spec.ts'

const CANCELLED = new Error('the agent run was cancelled')
const TIMEOUT = new Error('the agent run timed out')
const SHUTDOWN = new Error('the server is shutting down')
/** Log lines of a run kept with it (the model's text and one line per tool call). */
const LOG_CAP_BYTES = 1024 * 1024

export class AgentRuntime implements TypeRuntime {
  readonly runnableOperations = ['invoke'] as const
  private readonly policy: OutboundPolicy
  private closed = false
  private readonly running = new Map<string, Promise<void>>()
  private readonly controllers = new Map<string, AbortController>()

  constructor(private readonly p: PlatformContext) {
    this.policy = new OutboundPolicy(p.config.outbound.allow, p.log)
  }

  async startRun(
    element: ElementRow,
    _operation: string,
    input: Json,
    trigger: string,
    triggerInfo: JsonObject | null,
    opts: StartRunOptions = {},
  ): Promise<RunRow> {
    const run = await createRunWithInputFiles(
      this.p.runs,
      this.p.config.dataDir,
      element,
      input,
      trigger,
      triggerInfo,
      opts,
    )
    this.launch(element, run)
    return run
  }

  /** The model calls and tool calls of a run (its trace.jsonl), in order. */
  runSteps(run: RunRow): Promise<JsonObject[]> {
    return readTrace(this.p.config.dataDir, run.id)
  }

  async verifyWrite(spec: JsonObject, target: WriteTarget): Promise<void> {
    await verifyAgentTools(this.p, this.policy, spec as unknown as AgentSpec, target)
  }

  private launch(element: ElementRow, run: RunRow): void {
    if (this.closed) return
    const done = this.execute(element, run)
      .catch((err: unknown) => this.p.log.error({ err, run: run.id }, 'agent run failed outside its loop'))
      .finally(() => {
        this.running.delete(run.id)
        this.controllers.delete(run.id)
      })
    this.running.set(run.id, done)
  }

  private async execute(element: ElementRow, run: RunRow): Promise<void> {
    const { p } = this
    const spec = element.spec as unknown as AgentSpec
    const ctl = new AbortController()
    this.controllers.set(run.id, ctl)
    p.runs.onCancel(run.id, () => ctl.abort(CANCELLED))
    const timer = setTimeout(() => ctl.abort(TIMEOUT), spec.timeout_s * 1000)
    p.runs.markRunning(run.id, run.attempts + 1)
    const t0 = performance.now()
    const recorder = new AgentRecorder(p.config.dataDir, run.id)
    const logs: Array<{ stream: string; data: string }> = []
    let logBytes = 0
    const log = (stream: string, data: string) => {
      p.runs.appendLog(run.id, stream, data)
      if (logBytes >= LOG_CAP_BYTES) return
      logs.push({ stream, data })
      logBytes += data.length
    }
    const env: ToolEnv = {
      p,
      run,
      circleSlug: await p.elements.circleSlug(run.circle_id),
      depth: Number(run.trigger_info?.['depth'] ?? 0),
      children: new Set(),
    }
    ctl.signal.addEventListener(
      'abort',
      () => ctl.signal.reason !== SHUTDOWN && this.cancelChildren(env.children),
      {
        once: true,
      },
    )
    const closers: Array<() => Promise<void>> = []
    const end = async (
      status: 'succeeded' | 'failed' | 'cancelled',
      output: Json,
      error: JsonObject | null,
    ) => {
      await recorder
        .close(error ? `${status} (${String(error['code'])}: ${String(error['message'])})` : status)
        .catch((err: unknown) => p.log.warn({ err, run: run.id }, 'agent artifacts could not be written'))
      await p.runs.finish(run, {
        status,
        output,
        error,
        duration_ms: performance.now() - t0,
        cold_start: false,
        memory_used_mb: null,
        logs,
        logs_truncated: logBytes >= LOG_CAP_BYTES,
      })
    }
    try {
      await starterActor(p.elements, run)
      const resolved = await resolveAgentTools(env, element, spec, this.policy, ctl.signal)
      closers.push(resolved.close)
      recorder.lock({
        model: { base_url: spec.model.base_url, model: spec.model.model },
        agent: {
          element_id: element.id,
          version: element.version,
          source_commit: run.source_commit ?? null,
          source_ref: run.source_ref ?? null,
        },
        tools: resolved.tools.map((t) => ({ name: t.name, ...t.lock })),
      })
      const apiKey = await openAgentSecret(p.elements, element.id, spec.model.api_key)
      const result = await runAgentLoop({
        spec,
        client: modelClient(spec, apiKey, this.policy),
        tools: resolved.tools,
        recorder,
        signal: ctl.signal,
        prompt: await agentPrompt(p.config.dataDir, run),
        onText: (text) => log('model', text),
      })
      if (!ctl.signal.aborted) return void (await end('succeeded', result.output, null))
      throw ctl.signal.reason
    } catch (err) {
      const reason = ctl.signal.aborted ? ctl.signal.reason : err
      if (reason === CANCELLED)
        return void (await end('cancelled', null, {
          code: 'RUN_CANCELLED',
          message: 'the agent run was cancelled',
        }))
      const e = errorOf(reason, spec)
      // The loop records its own stops (limits, model errors) in issues.md; the rest here.
      if (!(reason instanceof AgentStop)) recorder.issue(String(e['message']))
      await end('failed', null, e)
    } finally {
      clearTimeout(timer)
      for (const close of closers) await close()
    }
  }

  private cancelChildren(children: Set<string>): void {
    for (const id of children)
      void this.p.runs
        .get(id)
        .then((r) => r && this.p.runs.cancelAndWait(r, 10_000))
        .catch(() => {})
  }

  /** Stops the runs in flight (ended AGENT_INTERRUPTED: agent runs are not resumed). */
  async close(): Promise<void> {
    this.closed = true
    for (const ctl of this.controllers.values()) ctl.abort(SHUTDOWN)
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise((r) => setTimeout(r, 5000).unref()),
    ])
  }
}

function errorOf(err: unknown, spec: AgentSpec): JsonObject {
  const def = (code: keyof typeof AGENT, message: string): JsonObject => ({
    code,
    message,
    class: AGENT[code].class,
    retryable: AGENT[code].retryable,
  })
  if (err === TIMEOUT) return def('AGENT_TIMEOUT', `no final answer within timeout_s (${spec.timeout_s} s)`)
  if (err === SHUTDOWN)
    return def(
      'AGENT_INTERRUPTED',
      'the server stopped during the run; agent runs are not resumed (rerun it)',
    )
  if (err instanceof AgentStop) return def(err.code as keyof typeof AGENT, err.message)
  if (err instanceof StarterRefused) return def('AGENT_KEY_REFUSED', err.message)
  if (err instanceof ToolSpecError) return def('AGENT_TOOL_INVALID', err.message)
  return def('AGENT_FAILED', `the agent run failed: ${String((err as Error)?.message ?? err).slice(0, 2000)}`)
}
