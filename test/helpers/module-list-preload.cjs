// Preloaded into a Wren process by a test (NODE_OPTIONS=--require): at exit, writes the Node
// built-in modules the process loaded to the file WREN_TEST_MODULE_LIST names, one per line.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const out = process.env.WREN_TEST_MODULE_LIST;
  if (out) writeFileSync(out, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join('\n'));
});
