// Ported to io-aio/promises from Node.js v20.19.2 test/parallel/test-fs-copyfile-respect-permissions.js
// (Node.js contributors, MIT license: see ../LICENSE); the changes are listed in ../README.md.
'use strict';
// io-aio: run unprivileged (the test skips as root; node-fs.spec.mjs runs it as uid 65534)

// Test that fs.copyFile() respects file permissions.
// Ref: https://github.com/nodejs/node/issues/26936

const common = require('../common');

if (!common.isWindows && process.getuid() === 0)
  common.skip('as this test should not be run as `root`');

if (common.isIBMi)
  common.skip('IBMi has a different access permission mechanism');

const tmpdir = require('../common/tmpdir');
tmpdir.refresh();

const assert = require('assert');
const fs = require('fs');
Object.defineProperty(fs, 'promises', { value: require('io-aio/promises') }); // io-aio: the API under test

let n = 0;

function beforeEach() {
  n++;
  const source = tmpdir.resolve(`source${n}`);
  const dest = tmpdir.resolve(`dest${n}`);
  fs.writeFileSync(source, 'source');
  fs.writeFileSync(dest, 'dest');
  fs.chmodSync(dest, '444');

  const check = (err) => {
    const expected = ['EACCES', 'EPERM'];
    assert(expected.includes(err.code), `${err.code} not in ${expected}`);
    assert.strictEqual(fs.readFileSync(dest, 'utf8'), 'dest');
    return true;
  };

  return { source, dest, check };
}

// Test synchronous API.
{
  const { source, dest, check } = beforeEach();
  assert.throws(() => { fs.copyFileSync(source, dest); }, check);
}

// Test promises API.
{
  const { source, dest, check } = beforeEach();
  (async () => {
    await assert.rejects(fs.promises.copyFile(source, dest), check);
  })().then(common.mustCall());
}

// Test callback API.
{
  const { source, dest, check } = beforeEach();
  fs.copyFile(source, dest, common.mustCall(check));
}
