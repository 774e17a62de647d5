'use strict';
// A stand-in for Node's test/common/tick: `cb` after `x` turns of the event loop.

module.exports = function tick(x, cb) {
  function ontick() {
    if (--x === 0) {
      if (typeof cb === 'function') cb();
    } else {
      setImmediate(ontick);
    }
  }
  setImmediate(ontick);
};
