/**
 * A request body → records: a JSON object, a JSON array of objects, or NDJSON (one object per
 * line). All or nothing: a body with any part that is not a record is refused whole, with the
 * reason, so a client never has to guess which of its records were taken.
 */

export type BodyResult = { records: Array<Record<string, unknown>> } | { error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseBody(text: string): BodyResult {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'the body is empty: send a JSON object, an array of objects, or NDJSON' };
  let whole: unknown;
  let wholeError: string | undefined;
  try {
    whole = JSON.parse(trimmed);
  } catch (err) {
    wholeError = (err as Error).message;
  }
  if (wholeError === undefined) {
    if (isRecord(whole)) return { records: [whole] };
    if (Array.isArray(whole)) {
      const bad = whole.findIndex((v) => !isRecord(v));
      if (bad >= 0) return { error: `item ${bad} of the JSON array is not an object` };
      return { records: whole as Array<Record<string, unknown>> };
    }
    return { error: 'the body is JSON but neither an object nor an array of objects' };
  }
  if (!trimmed.includes('\n')) return { error: `the body is not JSON: ${wholeError}` };
  // NDJSON: every non-empty line one object
  const records: Array<Record<string, unknown>> = [];
  const lines = trimmed.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      return { error: `line ${i + 1} of the NDJSON body is not JSON: ${(err as Error).message}` };
    }
    if (!isRecord(v)) return { error: `line ${i + 1} of the NDJSON body is not a JSON object` };
    records.push(v);
  }
  return { records };
}
