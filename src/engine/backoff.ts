/**
 * Exponential backoff with full jitter (AWS architecture blog's "Full Jitter"):
 * wait a random time in [0, min(cap, base * 2^(attempt-1))). A server's Retry-After wins.
 */
export function retryDelayMs(attempt: number, baseMs: number, capMs: number, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, capMs);
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.floor(random() * ceiling);
}
