/**
 * Pieces of Wren YAML that several end-to-end tests write the same way, each at the indentation
 * where it goes (`service:` at the top, inputs and outputs as list items under `inputs:` /
 * `outputs:`) and without a final newline: a test's config has `${PIECE}` on a line of its own
 * where the text would be.
 */

/** `service:` flushing every 100 ms and retrying after 50 ms, backing off to 200 ms at most: retries take well under a second. */
export const QUICK_RETRY_SERVICE = `service:
  flush: 100ms
  scheduler.base: 50ms
  scheduler.cap: 200ms`;

/** A tail input reading the container logs at `path` (a glob) once, from their head, tagged kube.*, CRI and docker partial lines joined. */
export function containerLogsTail(path: string): string {
  return `    - name: tail
      path: ${path}
      tag: kube.*
      read_from_head: on
      exit_on_eof: on
      multiline.parser: docker, cri`;
}

/** A stdout output writing every record as one JSON line. */
export const JSON_LINES_STDOUT = `    - name: stdout
      match: '*'
      format: json_lines`;

/** An http output posting every record as JSON lines to `port` on the default host (127.0.0.1). */
export function jsonLinesHttp(port: number): string {
  return `    - name: http
      match: '*'
      port: ${port}
      format: json_lines`;
}
