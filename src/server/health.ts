import type { ServiceConfig } from '../config/service.js';
import type { MetricsRegistry } from '../engine/metrics.js';

/** Fluent Bit's health state, as /api/v2/health reports it. */
export interface HealthState {
  healthy: boolean;
  /** Output errors within the last hc_period. */
  errors: number;
  /** Chunks whose retries ran out within the last hc_period. */
  retries_failed: number;
  error_limit: number;
  retry_failure_limit: number;
  /** hc_period, in seconds. */
  period_limit: number;
}

/**
 * Health as Fluent Bit defines it: with `health_check on`, unhealthy while the output errors of
 * the last `hc_period` exceed `hc_errors_count`, or the exhausted retries exceed
 * `hc_retry_failure_count` (summed over every output). With it off, always healthy.
 */
export function healthState(reg: MetricsRegistry, svc: ServiceConfig, now = Date.now()): HealthState {
  const errors = svc.healthCheck ? reg.recentCount('errors', svc.hcPeriodMs, now) : 0;
  const failed = svc.healthCheck ? reg.recentCount('retries_failed', svc.hcPeriodMs, now) : 0;
  return {
    healthy: errors <= svc.hcErrorsCount && failed <= svc.hcRetryFailureCount,
    errors,
    retries_failed: failed,
    error_limit: svc.hcErrorsCount,
    retry_failure_limit: svc.hcRetryFailureCount,
    period_limit: Math.round(svc.hcPeriodMs / 1000),
  };
}
