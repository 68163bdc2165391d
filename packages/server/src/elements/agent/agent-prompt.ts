// The user message of an agent run: its input (a string as is, anything else as JSON) and, when
// the run was given files (a multipart start, an email's attachments), the list of them.
import { listFiles, runInputDir } from '../../runs/run-files.ts'
import type { RunRow } from '../../storage/storage.ts'

export async function agentPrompt(dataDir: string, run: RunRow): Promise<string> {
  const input = run.input
  const text = typeof input === 'string' ? input : JSON.stringify(input ?? {}, null, 2)
  const files = await listFiles(runInputDir(dataDir, run.id))
  if (files.length === 0) return text
  const list = files.map((f) => `- input/${f.path} (${f.size} bytes)`).join('\n')
  return `${text}\n\nInput files of this run (pass a file's reference from the input to a tool to hand it on):\n${list}`
}
