import type { InputRunner } from '../input-runner.js';
import type { OutputRunner } from '../output-runner.js';

/**
 * What storage asks of the inputs: filesystem inputs pause while chunk files cannot be written
 * (disk full, read-only) and, with storage.pause_on_chunks_overlimit, while an output has more
 * than storage.max_chunks_up chunks waiting; memrb inputs never pause at mem_buf_limit, their
 * oldest waiting chunks are dropped instead.
 */
export class StorageHolds {
  private readonly diskHold = {};
  private readonly overlimitHold = {};

  constructor(private readonly inputs: readonly InputRunner[], private readonly outputs: readonly OutputRunner[]) {}

  /** An output's chunk files cannot be written: inputs storing there pause (the output logs why). */
  diskBlocked(_reason: string): void {
    for (const i of this.inputs) if (i.storage === 'filesystem') i.hold(this.diskHold);
  }

  /** An output's chunk files take writes again: resume, unless another output is still blocked. */
  diskUnblocked(): void {
    if (this.outputs.some((o) => o.diskBlocked)) return;
    for (const i of this.inputs) i.unhold(this.diskHold);
  }

  /** storage.pause_on_chunks_overlimit: hold such inputs while an output has too many chunks waiting. */
  checkChunksOverlimit(): void {
    const over = this.outputs.some((o) => o.chunksOverlimit);
    for (const i of this.inputs) {
      if (!i.pauseOnChunksOverlimit) continue;
      if (over) i.hold(this.overlimitHold);
      else i.unhold(this.overlimitHold);
    }
  }

  /** storage.type memrb: over mem_buf_limit, the input's oldest waiting chunks go instead of it pausing. */
  shed(input: InputRunner): void {
    if (input.storage !== 'memrb' || input.inflightBytes < input.memBufLimit) return;
    const enough = () => input.inflightBytes < input.memBufLimit;
    for (const o of this.outputs) {
      if (enough()) break;
      o.tick();
      o.shed(input, enough);
    }
  }
}
