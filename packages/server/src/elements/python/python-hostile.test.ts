// Hostile python handlers over real HTTP on SQLite: crashes, fork bombs, memory hogs, endless
// loops and log floods each end the run with a clear code and leave the server serving; 1,000
// queued invocations respect concurrency.max and none is lost; the handler sees its own
// environment and attached data but no platform secret; and each executor on this machine
// runs code and (when it isolates) keeps the data dir out of reach. Bad specs: python-spec-validation.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const c = 'acme'
const TERMINAL = ['succeeded', 'failed', 'cancelled']
const HELLO = 'def handler(input):\n    return {"hello": input.get("name", "world")}\n'
const ADMIN_KEY = 'admin-key-from-env-0123456789abcdef'
const SECRETS = {
  PERIODIC_TEST_SECRET: 'process-env-secret-9f8e7d6c',
  DATABASE_URL: 'postgres://periodic:hunter2-db-secret@db.internal/periodic',
}

/** The helpers every suite here uses against its own server. */
function helpers(get: () => TestServer) {
  async function create(slug: string, code: string, spec: object = {}) {
    const r = await get().api('POST', `/api/${c}`, {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code }, ...spec },
    })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  /** Polls the run until it is finished, failing after `ms`. */
  async function waitForRun(slug: string, id: string, ms = 60_000) {
    const deadline = Date.now() + ms
    for (;;) {
      const r = await get().api('GET', `/api/${c}/${slug}/ops/runs/${id}`)
      expect(r.status).toBe(200)
      if (TERMINAL.includes(r.body.status)) return r.body
      if (Date.now() > deadline) throw new Error(`run ${id} of ${slug} still ${r.body.status}`)
      await new Promise((res) => setTimeout(res, 50))
    }
  }
  /** Starts a run (async, 202) and waits for it to finish. */
  async function run(slug: string, body: unknown = {}, ms = 60_000) {
    const r = await get().api('POST', `/api/${c}/${slug}/ops/invoke`, body)
    if (r.status !== 202 && r.status !== 200)
      throw new Error(`invoke ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return waitForRun(slug, r.body.invocation_id, ms)
  }
  /** The server still runs a normal element afterwards. */
  async function expectServing(name = 'still here') {
    const r = await run('hello', { name })
    expect(r).toMatchObject({ status: 'succeeded', output: { hello: name } })
  }
  const pools = async (slug: string) =>
    (await get().api('GET', `/api/${c}/${slug}/ops/diagnostics`)).body.pools as Array<{
      workers: number
      busy: number
      starting: number
      queued: number
    }>
  return { create, waitForRun, run, expectServing, pools }
}

describe('python under hostile handlers', () => {
  let s: TestServer
  const { create, run, expectServing, pools } = helpers(() => s)
  const saved: Record<string, string | undefined> = {}

  beforeAll(async () => {
    // Secrets in the server's own process environment and configuration.
    for (const [k, v] of Object.entries(SECRETS)) {
      saved[k] = process.env[k]
      process.env[k] = v
    }
    s = await startTestServer({ env: { PERIODIC_ADMIN_KEY: ADMIN_KEY } })
    await s.createCircle(c)
    await create('hello', HELLO)
  })
  afterAll(async () => {
    await s?.close()
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })

  it('fails a handler calling os._exit(3) with a clear code, and replaces its worker', async () => {
    await create('quitter', 'import os\ndef handler(input):\n    os._exit(3)\n', {
      retry: { max_attempts: 1 },
    })
    for (let i = 0; i < 2; i++) {
      const r = await run('quitter')
      expect(r).toMatchObject({
        status: 'failed',
        attempts: 1,
        cold_start: true, // a fresh worker each time: the dead one was not reused
        error: { code: 'PYTHON_RUNTIME_ERROR', retryable: false, message: expect.stringContaining('code 3') },
      })
      expect((await pools('quitter'))[0]).toMatchObject({ workers: 0, busy: 0 })
    }
    await expectServing()
  })

  it('lets only the worker answer: a child the handler forks never replies or takes the next invocation', async () => {
    await create(
      'forker',
      'import os\ndef handler(input):\n    child = os.fork() == 0\n    return {"child": child, "pid": os.getpid()}\n',
    )
    const outputs: Array<{ child: boolean; pid: number }> = []
    for (let i = 0; i < 6; i++) outputs.push((await run('forker')).output)
    expect(outputs).toEqual(outputs.map(() => ({ child: false, pid: outputs[0]?.pid })))
    await expectServing()
  })

  it('kills a handler filling memory past memory_mb: 128 with PYTHON_OOM', async () => {
    const hog =
      'def handler(input):\n    hoard = []\n    while True:\n        hoard.append(bytearray(8 * 1024 * 1024))\n        hoard[-1][::4096] = b"x" * (8 * 1024 * 1024 // 4096)\n'
    await create('hog', hog, { memory_mb: 128, timeout_ms: 20_000 })
    const r = await run('hog')
    expect(r).toMatchObject({
      status: 'failed',
      attempts: 1, // not retryable: the same code runs out of memory again
      error: {
        code: 'PYTHON_OOM',
        class: 'internal',
        retryable: false,
        message: expect.stringContaining('128'),
      },
    })
    await expectServing()
  })

  it('stops `while True: pass` at timeout_ms: 1000 with PYTHON_TIMEOUT, retried up to max_attempts', async () => {
    await create('spin', 'def handler(input):\n    while True:\n        pass\n', {
      timeout_ms: 1000,
      retry: { max_attempts: 2, backoff_ms: 0 },
    })
    const r = await run('spin')
    expect(r).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: {
        code: 'PYTHON_TIMEOUT',
        class: 'timeout',
        retryable: true,
        message: expect.stringContaining('1000 ms'),
      },
    })
    await expectServing()
  })

  it('completes a run printing 100 MB with its logs capped, marked truncated, and the server answering', async () => {
    const loud =
      'def handler(input):\n    line = "x" * 1023\n    for _ in range(100 * 1024):\n        print(line)\n    return {"printed_mb": 100}\n'
    await create('loud', loud, { timeout_ms: 120_000 })
    const r = await run('loud', {}, 120_000)
    expect(r).toMatchObject({ status: 'succeeded', output: { printed_mb: 100 }, logs_truncated: true })
    const logs = await s.api('GET', `/api/${c}/loud/ops/logs?run_id=${r.invocation_id}`)
    expect(logs.status).toBe(200)
    const [entry] = logs.body.runs
    expect(entry.truncated).toBe(true)
    const kept = entry.logs.reduce((n: number, l: { data: string }) => n + l.data.length, 0)
    expect(kept).toBeLessThan(1024 * 1024 + 1024) // the default cap, plus the marker
    expect(entry.logs.at(-1).data).toMatch(/\[periodic: log capped at 1048576 bytes; \d+ bytes dropped\]/)
    expect((await s.api('GET', `/api/${c}/loud/ops/runs?limit=1`)).body.runs[0].logs_truncated).toBe(true)
    await expectServing()
  })

  it('runs 1,000 concurrent invocations on concurrency.max 2: all succeed, none lost, never over 2 workers', async () => {
    await create('double', 'def handler(input):\n    return {"n": input["n"], "double": input["n"] * 2}\n', {
      concurrency: { max: 2 },
    })
    const sent = new Map<string, number>()
    let firing = true
    const samples: Array<{ workers: number; busy: number; starting: number }> = []
    const sampler = (async () => {
      while (firing || samples.length === 0) {
        for (const p of await pools('double')) samples.push(p)
        await new Promise((res) => setTimeout(res, 10))
      }
    })()
    const count = async () => {
      let n = 0
      let cursor = ''
      for (;;) {
        const page = await s.api('GET', `/api/${c}/double/ops/runs?status=succeeded&limit=200${cursor}`)
        n += page.body.runs.length
        if (!page.body.has_more) return n
        cursor = `&cursor=${encodeURIComponent(page.body.next_cursor)}`
      }
    }
    try {
      for (let batch = 0; batch < 20; batch++) {
        const replies = await Promise.all(
          Array.from({ length: 50 }, (_, i) => batch * 50 + i).map(async (n) => {
            const r = await s.api('POST', `/api/${c}/double/ops/invoke`, { n })
            expect(r.status).toBe(202)
            return [r.body.invocation_id as string, n] as const
          }),
        )
        for (const [id, n] of replies) sent.set(id, n)
      }
      expect(sent.size).toBe(1000)
      const deadline = Date.now() + 120_000
      while ((await count()) < 1000) {
        if (Date.now() > deadline) throw new Error(`only ${await count()} of 1000 runs succeeded`)
        await new Promise((res) => setTimeout(res, 200))
      }
    } finally {
      firing = false
      await sampler
    }
    expect(samples.length).toBeGreaterThan(0)
    expect(Math.max(...samples.map((p) => p.busy))).toBeLessThanOrEqual(2)
    expect(Math.max(...samples.map((p) => p.workers + p.starting))).toBeLessThanOrEqual(2)
    // Every run is there exactly once, with its own output.
    const seen = new Map<string, { status: string; output: { n: number; double: number } }>()
    let cursor = ''
    for (;;) {
      const page = await s.api('GET', `/api/${c}/double/ops/runs?limit=200${cursor}`)
      for (const r of page.body.runs) seen.set(r.invocation_id, r)
      if (!page.body.has_more) break
      cursor = `&cursor=${encodeURIComponent(page.body.next_cursor)}`
    }
    expect(seen.size).toBe(1000)
    for (const [id, n] of sent)
      expect(seen.get(id), id).toMatchObject({ status: 'succeeded', output: { n, double: n * 2 } })
  })

  describe('environment', () => {
    const ENV_CODE = 'import os\ndef handler(input):\n    return dict(os.environ)\n'

    it('gives the handler spec.environment but none of the platform’s secrets', async () => {
      await create('envy', ENV_CODE, { environment: { GREETING: 'hej', EMPTY: '', MULTI: 'a=b\nc' } })
      const { output: env } = await run('envy')
      expect(env).toMatchObject({ GREETING: 'hej', EMPTY: '', MULTI: 'a=b\nc' })
      const leaked = Object.entries(env as Record<string, string>).filter(
        ([k, v]) =>
          k in SECRETS ||
          // The run's file directories are the only PERIODIC_ variables a handler is given.
          (k.startsWith('PERIODIC_') && k !== 'PERIODIC_OUTPUT_DIR' && k !== 'PERIODIC_INPUT_DIR') ||
          [ADMIN_KEY, ...Object.values(SECRETS)].some((secret) => v.includes(secret)),
      )
      expect(leaked).toEqual([])
    })

    it('injects attached data elements as RESOURCE_{TYPE}_{SLUG}, following their values and detach', async () => {
      await create('wired', ENV_CODE)
      for (const [slug, value] of [
        ['db-url', 'postgres://app@db/app'],
        ['limits', { max: 3 }],
      ] as const) {
        expect(
          (await s.api('POST', `/api/${c}`, { element_type: 'variable', slug, spec: { value } })).status,
        ).toBe(201)
        expect((await s.api('POST', `/api/${c}/${slug}/ops/attach`, { target: 'wired' })).status).toBe(201)
      }
      const first = (await run('wired')).output
      expect(first).toMatchObject({
        RESOURCE_VARIABLE_DB_URL: 'postgres://app@db/app',
        RESOURCE_VARIABLE_LIMITS: '{"max":3}',
      })
      await s.api('POST', `/api/${c}/db-url/ops/set`, { value: 'postgres://app@db2/app' })
      expect((await run('wired')).output.RESOURCE_VARIABLE_DB_URL).toBe('postgres://app@db2/app')
      expect((await s.api('POST', `/api/${c}/limits/ops/detach`, { target: 'wired' })).status).toBe(200)
      const after = (await run('wired')).output
      expect(after).not.toHaveProperty('RESOURCE_VARIABLE_LIMITS')
      expect(after).toHaveProperty('RESOURCE_VARIABLE_DB_URL')
    })
  })
})

/** How many host processes have `entry` (NAME=value) in their environment. */
function hostProcessesWith(entry: string): number {
  let n = 0
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry)) n++
    } catch {}
  }
  return n
}

// Each executor present on this machine, chosen with PERIODIC_SANDBOX as an operator would.
const EXECUTORS = [
  { name: 'process', present: true, isolated: false },
  { name: 'bwrap', present: existsSync('/usr/bin/bwrap'), isolated: true },
  { name: 'gvisor', present: existsSync('/usr/bin/runsc'), isolated: true },
] as const
if (process.env['CI'] && !EXECUTORS[1].present) throw new Error('bubblewrap must be installed in CI')

for (const ex of EXECUTORS) {
  describe.skipIf(!ex.present)(`python on the ${ex.name} executor over HTTP`, () => {
    let s: TestServer
    const { create, run } = helpers(() => s)

    beforeAll(async () => {
      s = await startTestServer({ env: { PERIODIC_SANDBOX: ex.name } })
      await s.createCircle(c)
      await create('hello', HELLO)
    })
    afterAll(async () => s?.close())

    it('runs a handler, and diagnostics name the executor and its guarantees', async () => {
      expect(await run('hello', { name: ex.name })).toMatchObject({
        status: 'succeeded',
        output: { hello: ex.name },
      })
      const d = await s.api('GET', `/api/${c}/hello/ops/diagnostics`)
      expect(d.body).toMatchObject({ executor: ex.name, isolation_reachable: true, health: { ok: true } })
      if (!ex.isolated) expect(d.body.guarantees.filesystem).toMatch(/^NONE/)
    })

    it('ends a fork bomb within its timeout, leaves no process of it behind and keeps serving', async () => {
      // Every process of the bomb carries this marker in its environment, so the host can
      // look for survivors (gVisor's live inside its own kernel, where the host sees none).
      const marker = `bomb-${ex.name}-${Date.now()}`
      const bomb =
        'import os\ndef handler(input):\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n'
      await create('bomb', bomb, {
        memory_mb: 128,
        timeout_ms: 3000,
        retry: { max_attempts: 1 },
        environment: { BOMB: marker },
      })
      const r = await run('bomb', {}, 60_000)
      expect(r.status).toBe('failed')
      expect(['PYTHON_OOM', 'PYTHON_TIMEOUT', 'PYTHON_WORKER_LOST']).toContain(r.error.code)
      const deadline = Date.now() + 15_000
      while (hostProcessesWith(`BOMB=${marker}`) > 0) {
        if (Date.now() > deadline)
          throw new Error(`${hostProcessesWith(`BOMB=${marker}`)} bomb processes survive`)
        await new Promise((res) => setTimeout(res, 100))
      }
      expect(await run('hello', { name: 'after the bomb' })).toMatchObject({
        status: 'succeeded',
        output: { hello: 'after the bomb' },
      })
    })

    it.skipIf(!ex.isolated)(
      'keeps the data dir and admin key out of reach and everything but /tmp read-only',
      async () => {
        expect(existsSync(join(s.dataDir, 'admin.key'))).toBe(true)
        const before = readdirSync(s.dataDir).sort()
        const probe = `import os
def attempt(fn):
    try:
        fn()
        return "allowed"
    except OSError as e:
        return "denied"
def handler(input):
    d = input["data_dir"]
    out = {"read_key": attempt(lambda: open(d + "/admin.key").read())}
    out["list_data_dir"] = attempt(lambda: os.listdir(d))
    for p in [d + "/evil", "/evil", "/etc/evil", "/usr/evil", "/periodic/code/evil"]:
        out["write " + p] = attempt(lambda: open(p, "w").write("x"))
    out["write /tmp"] = attempt(lambda: open("/tmp/ok", "w").write("ok"))
    return out
`
        await create('probe', probe)
        const r = await run('probe', { data_dir: s.dataDir })
        expect(r.status).toBe('succeeded')
        const { 'write /tmp': tmp, ...rest } = r.output
        expect(tmp).toBe('allowed')
        expect(Object.entries(rest).filter(([, v]) => v !== 'denied')).toEqual([])
        expect(JSON.stringify(r.output)).not.toContain(s.adminKey)
        expect(readdirSync(s.dataDir).sort()).toEqual(before)
      },
    )

    it('shows the handler none of the server’s environment', async () => {
      await create('envy', 'import os\ndef handler(input):\n    return dict(os.environ)\n', {
        environment: { ONLY_THIS: 'yes' },
      })
      const env = (await run('envy')).output as Record<string, string>
      expect(env['ONLY_THIS']).toBe('yes')
      // Only what the element sets and what the runtime, the shell and Python's locale
      // coercion set themselves: nothing inherited from the server.
      const allowed = [
        'HOME',
        'LC_CTYPE',
        'ONLY_THIS',
        'PATH',
        'PERIODIC_INPUT_DIR',
        'PERIODIC_OUTPUT_DIR',
        'PWD',
        'PYTHONDONTWRITEBYTECODE',
      ]
      expect(Object.keys(env).filter((k) => !allowed.includes(k))).toEqual([])
      expect(JSON.stringify(env)).not.toContain(s.adminKey)
    })
  })
}
