// The iii config reader: the workers: list in both spellings, env references, RBAC blocks,
// loopback by default, every ignored kind/adapter/key named, and refusals with a message.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expandEnv, IiiConfigError, parseIiiConfig } from './iii-config.ts'

const SAMPLE = `
circle: shop
workers:
  - name: iii-worker-manager
    config:
      port: \${III_PORT:49134}
  - name: iii-worker-manager
    config:
      host: 0.0.0.0
      port: 49135
      middleware_function_id: my-project::middleware
      rbac:
        auth_function_id: my-project::auth
        on_function_registration_function_id: my-project::on-fn
        expose_functions:
          - match("api::*")
          - match('*::public')
          - metadata:
              public: true
  - name: iii-http
    config:
      port: 3111
      default_timeout: 5000
      cors:
        allowed_origins: ["*"]
  - name: iii-state
    config:
      adapter:
        name: redis
        config: { redis_url: "redis://localhost:6379" }
  - name: iii-cron
  - name: iii-stream
    config: { port: 3112 }
  - name: iii-pubsub
`

describe('iii config reader', () => {
  it('reads worker ports, RBAC, middleware and the iii-http port', () => {
    const c = parseIiiConfig(SAMPLE, {})
    expect(c.circle).toBe('shop')
    expect(c.workerPorts).toEqual([
      { host: '127.0.0.1', port: 49134, rbac: null, middlewareFunctionId: null },
      {
        host: '0.0.0.0',
        port: 49135,
        middlewareFunctionId: 'my-project::middleware',
        rbac: {
          auth_function_id: 'my-project::auth',
          on_function_registration_function_id: 'my-project::on-fn',
          on_trigger_registration_function_id: null,
          on_trigger_type_registration_function_id: null,
          expose_functions: [{ match: 'api::*' }, { match: '*::public' }, { metadata: { public: true } }],
        },
      },
    ])
    expect(c.http).toEqual({ host: '127.0.0.1', port: 3111, defaultTimeoutMs: 5000, middleware: [] })
    expect(c.stream).toEqual({ host: '127.0.0.1', port: 3112, authFunctionId: null })
    expect(c.unsupported).toEqual(['iii-http.cors', 'iii-state adapter redis'])
    expect(c.observability).toBeNull()
    expect(c.httpFunctions).toBeNull()
  })

  it('reads iii-observability, iii-http-functions and iii-pubsub, naming what has no effect here', () => {
    const c = parseIiiConfig(`
workers:
  - name: iii-observability
    config:
      enabled: true
      service_name: shop
      exporter: both
      endpoint: http://collector:4317
      memory_max_spans: 500
      sampling_ratio: 0.5
      logs_max_count: 100
      logs_retention_seconds: 60
      metrics_enabled: false
      metrics_max_count: 10
      metrics_retention_seconds: 120
      alerts: []
  - name: iii-http-functions
    config:
      url_allowlist: ["https://api.example.com/v1/", "*.partner.test", "127.0.0.1:9000"]
      max_response_bytes: 65536
      retries: 3
  - name: iii-pubsub
    config:
      adapter:
        name: redis
        config: { redis_url: "redis://localhost:6379" }
`)
    expect(c.observability).toEqual({
      enabled: true,
      samplingRatio: 0.5,
      maxSpans: 500,
      logsEnabled: true,
      maxLogs: 100,
      logsRetentionSeconds: 60,
      metricsEnabled: false,
      maxMetrics: 10,
      metricsRetentionSeconds: 120,
      serviceName: 'shop',
      // exporter: both exports the traces to the collector and keeps them in memory.
      export: {
        endpoint: 'http://collector:4317',
        traces: true,
        logs: false,
        metrics: false,
        flushIntervalMs: 5000,
        batchSize: 100,
      },
    })
    expect(c.httpFunctions).toEqual({
      urlAllowlist: ['https://api.example.com/v1/', '*.partner.test', '127.0.0.1:9000'],
      maxResponseBytes: 65536,
      // The top-level list is an alias of security.url_allowlist; iii's security defaults apply.
      requireHttps: true,
      blockPrivateIps: true,
    })
    expect(c.unsupported).toEqual([
      'iii-observability.alerts',
      'iii-http-functions.retries',
      'iii-pubsub adapter redis',
    ])
    expect(parseIiiConfig('workers:\n  - name: iii-observability\n').observability).toMatchObject({
      enabled: true,
      maxSpans: 10_000,
    })
  })

  it('reads iii-stream: auth_function (or auth_function_id), and names an adapter as ignored', () => {
    const c = parseIiiConfig(
      'workers:\n  - name: iii-stream\n    config:\n      host: 0.0.0.0\n      auth_function_id: shop::stream-auth\n      adapter: { name: redis }\n',
    )
    expect(c.stream).toEqual({ host: '0.0.0.0', port: 3112, authFunctionId: 'shop::stream-auth' })
    expect(c.unsupported).toEqual(['iii-stream adapter redis'])
    expect(
      parseIiiConfig('workers:\n  - name: iii-stream\n    config: { auth_function: a::b }\n').stream
        ?.authFunctionId,
    ).toBe('a::b')
  })

  it('resolves $VAR references with defaults from the environment and refuses an unset variable without default', () => {
    expect(parseIiiConfig(SAMPLE, { III_PORT: '50000' }).workerPorts[0]!.port).toBe(50000)
    expect(expandEnv(`a: \${X}`, { X: '1' })).toBe('a: 1')
    expect(() => expandEnv(`a: \${MISSING}`, {})).toThrow(/MISSING/)
  })

  it('accepts the map spelling of workers with #instance names, and defaults the circle', () => {
    const c = parseIiiConfig(
      `workers:\n  iii-worker-manager:\n    port: 49134\n  "iii-worker-manager#rbac":\n    port: 49135\n    rbac:\n      expose_functions: ["match(\\"api::*\\")"]\n`,
    )
    expect(c.circle).toBe('default')
    expect(c.workerPorts.map((p) => [p.port, p.rbac?.expose_functions])).toEqual([
      [49134, undefined],
      [49135, [{ match: 'api::*' }]],
    ])
  })

  it('refuses malformed configs with a message that names the problem', () => {
    const bad: Array<[string, RegExp]> = [
      ['workers: [', /not valid YAML/],
      ['- a\n- b', /mapping/],
      ['circle: Shop!\nworkers: []', /circle/],
      ['other: 1', /no workers/],
      ['workers:\n  - config: {}', /needs a name/],
      ['workers:\n  - name: iii-worker-manager\n    config: { port: 70000 }', /port/],
      ['workers:\n  - name: iii-worker-manager\n    config: { port: "eighty" }', /port/],
      [
        'workers:\n  - name: iii-worker-manager\n    config: { port: 5000 }\n  - name: iii-http\n    config: { port: 5000 }',
        /used twice/,
      ],
      ['workers:\n  - name: iii-http\n    config: { default_timeout: -1 }', /default_timeout/],
      ['workers:\n  - name: iii-http\n    config: { middleware: [{ phase: preHandler }] }', /middleware/],
      [
        'workers:\n  - name: iii-http\n    config: { middleware: [{ function_id: a, phase: onSend }] }',
        /middleware/,
      ],
      ['workers:\n  - name: iii-stream\n  - name: iii-stream', /more than one iii-stream/],
      ['workers:\n  - name: iii-http\n    config: { port: 3112 }\n  - name: iii-stream', /used twice/],
      [
        'workers:\n  - name: iii-worker-manager\n    config:\n      rbac:\n        expose_functions: ["match(api"]',
        /expose_functions\[0\]/,
      ],
      [
        'workers:\n  - name: iii-worker-manager\n    config:\n      rbac: { auth_function_id: 7 }',
        /auth_function_id/,
      ],
      ['workers:\n  - name: iii-observability\n    config: { sampling_ratio: 2 }', /sampling_ratio/],
      ['workers:\n  - name: iii-observability\n    config: { memory_max_spans: 0 }', /memory_max_spans/],
      ['workers:\n  - name: iii-observability\n    config: { enabled: "yes" }', /enabled/],
      ['workers:\n  - name: iii-observability\n    config: { exporter: zipkin }', /exporter must be one of/],
      [
        'workers:\n  - name: iii-observability\n    config: { exporter: otlp, endpoint: "ftp://x" }',
        /endpoint/,
      ],
      ['workers:\n  - name: iii-http-functions\n    config: { url_allowlist: "https://x" }', /url_allowlist/],
      [
        'workers:\n  - name: iii-http-functions\n    config: { url_allowlist: ["ftp://x/"] }',
        /url_allowlist\[0\]/,
      ],
    ]
    for (const [text, message] of bad) {
      expect(() => parseIiiConfig(text), text).toThrow(IiiConfigError)
      expect(() => parseIiiConfig(text), text).toThrow(message)
    }
  })

  it('reads the docs example (docs/engine/iii-drop-in.md) as documented', () => {
    const page = readFileSync(join(import.meta.dirname, '../../../../docs/engine/iii-drop-in.md'), 'utf8')
    const block = /```yaml\n(circle: shop[\s\S]*?)```/.exec(page)![1]!
    const c = parseIiiConfig(block, {})
    expect(c.circle).toBe('shop')
    expect(
      c.workerPorts.map((p) => [p.port, p.rbac?.expose_functions ?? null, p.middlewareFunctionId]),
    ).toEqual([
      [49134, null, null],
      [49135, [{ match: 'api::*' }, { metadata: { public: true } }], 'shop::audit'],
    ])
    expect(c.http).toEqual({ host: '127.0.0.1', port: 3111, defaultTimeoutMs: 30000, middleware: [] })
    expect(c.stream).toEqual({ host: '127.0.0.1', port: 3112, authFunctionId: 'shop::stream-auth' })
    expect(c.unsupported).toEqual([])
  })
})
