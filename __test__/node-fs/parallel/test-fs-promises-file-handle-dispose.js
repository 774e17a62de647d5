// Ported to io-aio/promises from Node.js v20.19.2 test/parallel/test-fs-promises-file-handle-dispose.js
// (Node.js contributors, MIT license: see ../LICENSE); the changes are listed in ../README.md.
'use strict';

const common = require('../common');
const fs = require('io-aio/promises');

async function doOpen() {
  const fh = await fs.open(__filename);
  fh.on('close', common.mustCall());
  await fh[Symbol.asyncDispose]();
}

doOpen().then(common.mustCall());
