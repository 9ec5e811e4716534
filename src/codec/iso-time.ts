/**
 * `2024-01-02T03:04:05.678Z` for epoch ms, as `Date.prototype.toISOString()` writes it, from the
 * UTC fields. Not toISOString itself: V8's first call of it looks up the host's time zone and its
 * display names in ICU's data, and that maps about 0.9 MB of the node binary into the process for
 * good (measured: `node -e` RSS +0.9 MB with one call, +0 with this). A log line's time and a
 * SigV4 date are all Wren needs, and neither needs a time zone.
 */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) return d.toISOString(); // ±YYYYYY years, and the RangeError of an invalid date
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
