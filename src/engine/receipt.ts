/**
 * A receipt follows one emitted batch until every event of it has left Wren: delivered by (or
 * dropped, for a counted and logged reason, from) every output it was routed to. Then it calls the
 * input's `onDone` (tail commits its offsets there). A batch given up at shutdown without being
 * delivered is `abandoned`: `onDone` is never called, so its file offset stays where it was and
 * the lines are read again after a restart. (Memory is accounted separately, by EventData.)
 */
export class Receipt {
  /** Starts at 1: the routing step holds it until the batch is in every buffer. */
  private pending = 1;
  private abandoned = false;

  constructor(private readonly onDone?: () => void) {}

  hold(): void {
    this.pending++;
  }

  release(): void {
    if (--this.pending !== 0) return;
    if (!this.abandoned) this.onDone?.();
  }

  /** Not delivered and never will be by this process: release without confirming. */
  abandon(): void {
    this.abandoned = true;
    this.release();
  }
}
