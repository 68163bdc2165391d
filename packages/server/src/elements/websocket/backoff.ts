// Reconnection delays for the driven link: exponential from initial_delay_ms by
// backoff_multiplier, capped at max_delay_ms, with +/- jitter_factor (same fields as the
// engine's ReconnectionConfig).
export interface ReconnectConfig {
  initial_delay_ms: number
  max_delay_ms: number
  backoff_multiplier: number
  jitter_factor: number
  max_retries: number
}

/** Delay before retry number `attempt` (1-based); `random` is injectable for tests. */
export function backoffDelay(
  cfg: ReconnectConfig,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    cfg.max_delay_ms,
    cfg.initial_delay_ms * cfg.backoff_multiplier ** Math.max(0, attempt - 1),
  )
  const jitter = base * cfg.jitter_factor * (random() * 2 - 1)
  return Math.max(0, Math.round(Math.min(cfg.max_delay_ms, base + jitter)))
}

/** True while another retry is allowed (`max_retries` -1 = forever). */
export function mayRetry(cfg: ReconnectConfig, retries: number): boolean {
  return cfg.max_retries < 0 || retries < cfg.max_retries
}
