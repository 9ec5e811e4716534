// kinesalite needs leveldown only with a --path (on-disk store); Wren's tests keep it in memory.
module.exports = function leveldown() {
  throw new Error('leveldown is not installed: run kinesalite without a path (in memory)');
};
