// Ported to io-aio/promises from Node.js v20.19.2 test/parallel/test-filehandle-close.js
// (Node.js contributors, MIT license: see ../LICENSE); the changes are listed in ../README.md.
'use strict';
const common = require('../common');
const assert = require('assert');
const fs = require('fs');
Object.defineProperty(fs, 'promises', { value: require('io-aio/promises') }); // io-aio: the API under test

// Test that using FileHandle.close to close an already-closed fd fails
// with EBADF.

(async function() {
  const fh = await fs.promises.open(__filename);
  fs.closeSync(fh.fd);

  await assert.rejects(() => fh.close(), {
    code: 'EBADF',
    syscall: 'close'
  });
})().then(common.mustCall());
