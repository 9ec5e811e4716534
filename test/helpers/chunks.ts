import { eventData } from '../../src/engine/encode-events.js';
import type { Chunk, FlushResult, LogEvent } from '../../src/engine/types.js';

/** A chunk of `events` as the engine buffers them (records as JSON bytes). */
export function chunkOf(events: LogEvent[], tag = 'app', id = 'c'): Chunk {
  return { id, tag, data: eventData(events), attempt: 0 };
}

/** What the engine does with a retry: keep only the events it names (all when it names none). */
export function keepForRetry(chunk: Chunk, r: FlushResult): void {
  if (r.status === 'retry' && r.only) chunk.data = chunk.data.select(r.only);
  chunk.attempt++;
}
