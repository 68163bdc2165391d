// What the email trigger tests and benchmark share: a hand-written one-page PDF, and — only while
// the agent type has no runtime of its own on this branch — a stand-in that does what the
// brief asks of the agent runtime's startRun (adopt the staged input files like a workflow
// run, create the run record) and then ends the run as cancelled, since there is no model loop.
import { randomUUID } from 'node:crypto'
import type { TypeRuntime } from '../elements/element.ts'
import { newRunOf } from '../elements/new-run.ts'
import { adoptWorkflowFiles } from '../elements/workflow/workflow-files.ts'
import type { Platform } from '../main.ts'
import { RunService } from '../runs/run-service.ts'

/** A one-page PDF written by hand: the smallest file a PDF reader accepts. */
export function tinyPdf(text = 'Invoice 42'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>',
  ]
  const stream = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`)
  let body = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((o, i) => {
    offsets.push(body.length)
    body += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = body.length
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(body, 'latin1')
}

/**
 * True when the agent type runs on its own runtime; otherwise installs the stand-in (returns
 * false, so a test can say which path it measured).
 */
export function ensureAgentRuns(platform: Platform, dataDir: string): boolean {
  const registry = platform.elements.registry
  if (registry.runtimeOf('agent')?.startRun) return true
  const runs = new RunService(platform.storage, platform.bus)
  const standIn: TypeRuntime = {
    runnableOperations: ['invoke'],
    async close() {},
    async startRun(element, operation, input, trigger, info, opts = {}) {
      const runId = opts.runId ?? randomUUID()
      const adopted = await adoptWorkflowFiles(dataDir, info, runId, input)
      const row = await runs.create(newRunOf(element, operation, adopted, trigger, info, { ...opts, runId }))
      return runs.finishUnstarted(row, 'cancelled', {
        code: 'RUN_CANCELLED',
        message: 'stand-in agent runtime: no model loop on this branch',
      })
    },
  }
  ;(registry as unknown as { runtimes: Map<string, TypeRuntime> }).runtimes.set('agent', standIn)
  return false
}
