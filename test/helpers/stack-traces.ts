/**
 * Stack traces as the runtimes print them (written for these tests), each with a plain log line
 * before and after, so a test can check that the trace comes out as exactly one record and its
 * neighbours as one record each.
 */
export interface TraceSample {
  /** The multiline parser that joins it. */
  parser: 'go' | 'java' | 'python' | 'ruby';
  before: string;
  trace: string[];
  after: string;
}

/** Frames are functions, not methods on pointer receivers: Fluent Bit's go rules (and Wren's) do not take `pkg.(*T).M(` frames. */
export const GO_PANIC: TraceSample = {
  parser: 'go',
  before: 'level=info msg="serving orders on :8080"',
  trace: [
    'panic: runtime error: index out of range [3] with length 3',
    '',
    'goroutine 42 [running]:',
    'github.com/acme/orders/internal/cart.ItemAt(...)',
    '\t/src/internal/cart/cart.go:87',
    'github.com/acme/orders/internal/api.checkout(0xc0001a2000, {0x9b3f40, 0xc0002d41c0}, 0xc00019e300)',
    '\t/src/internal/api/checkout.go:133 +0x3a5',
    'net/http.HandlerFunc.ServeHTTP(0xc0000b6120?, {0x9b3f40?, 0xc0002d41c0?}, 0x0?)',
    '\t/usr/local/go/src/net/http/server.go:2136 +0x29',
    'created by net/http.(*Server).Serve in goroutine 1',
    '\t/usr/local/go/src/net/http/server.go:3086 +0x4cc',
  ],
  after: 'level=info msg="orders service starting" version=1.8.2',
};

export const JAVA_EXCEPTION: TraceSample = {
  parser: 'java',
  before: '2025-03-14 09:12:44.118  INFO 1 --- [nio-8080-exec-3] c.a.billing.InvoiceController : creating invoice for order o-5512',
  trace: [
    'java.lang.IllegalStateException: invoice o-5512 already settled',
    '\tat com.acme.billing.InvoiceService.settle(InvoiceService.java:214)',
    '\tat com.acme.billing.InvoiceController.create(InvoiceController.java:88)',
    '\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)',
    '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)',
    'Caused by: java.sql.SQLIntegrityConstraintViolationException: Duplicate entry \'o-5512\' for key \'invoices.order_id\'',
    '\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:117)',
    '\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java)',
    '\t... 57 common frames omitted',
  ],
  after: '2025-03-14 09:12:44.131  INFO 1 --- [nio-8080-exec-4] c.a.billing.InvoiceController : GET /invoices 200',
};

export const PYTHON_TRACEBACK: TraceSample = {
  parser: 'python',
  before: 'INFO:werkzeug:10.0.3.7 - - [14/Mar/2025 09:12:44] "GET /health HTTP/1.1" 200 -',
  trace: [
    'Traceback (most recent call last):',
    '  File "/app/worker/tasks.py", line 58, in resize_image',
    '    img = Image.open(io.BytesIO(payload))',
    '  File "/usr/local/lib/python3.12/site-packages/PIL/Image.py", line 3339, in open',
    '    raise UnidentifiedImageError(msg)',
    'PIL.UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f3a2c1e5d50>',
  ],
  after: 'INFO:worker:task resize_image done in 0.42s',
};

export const RUBY_EXCEPTION: TraceSample = {
  parser: 'ruby',
  before: 'I, [2025-03-14T09:12:44.118802 #1]  INFO -- : Started POST "/orders" for 10.0.3.7',
  trace: [
    "/app/app/services/order_total.rb:17:in `/': divided by 0 (ZeroDivisionError)",
    "\tfrom /app/app/services/order_total.rb:17:in `per_item'",
    "\tfrom /app/app/controllers/orders_controller.rb:12:in `create'",
    "\tfrom /usr/local/bundle/gems/actionpack-7.1.3/lib/action_controller/metal/basic_implicit_render.rb:6:in `send_action'",
  ],
  after: 'I, [2025-03-14T09:12:44.120031 #1]  INFO -- : Completed 500 Internal Server Error in 2ms',
};

export const TRACE_SAMPLES: readonly TraceSample[] = [GO_PANIC, JAVA_EXCEPTION, PYTHON_TRACEBACK, RUBY_EXCEPTION];

/** The lines of a sample in order: before, the trace, after. */
export function sampleLines(s: TraceSample): string[] {
  return [s.before, ...s.trace, s.after];
}

/** The records a sample must become: before, the trace joined by newlines, after. */
export function expectedLogs(s: TraceSample): string[] {
  return [s.before, s.trace.join('\n'), s.after];
}
