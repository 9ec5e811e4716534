/** Resolve once `cond` holds (polled every `stepMs`), or fail after `ms` naming `what`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition', stepMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
