/**
 * A receipt follows one emitted batch until every event of it has left Wren (delivered or dropped
 * by every output it was routed to). It holds the batch's bytes against its input's
 * `mem_buf_limit`, and calls the input's `onDone` (tail commits its offsets there).
 */
export interface ReceiptOwner {
  receiptDone(bytes: number): void;
}

export class Receipt {
  /** Starts at 1: the routing step holds it until the batch is in every buffer. */
  private pending = 1;

  constructor(
    private readonly owner: ReceiptOwner,
    readonly bytes: number,
    private readonly onDone?: () => void,
  ) {}

  hold(): void {
    this.pending++;
  }

  release(): void {
    if (--this.pending !== 0) return;
    this.owner.receiptDone(this.bytes);
    this.onDone?.();
  }
}
