'use strict';
// A stand-in for Node's test/common/fixtures: paths of the data files in ../fixtures
// (copied from Node's test/fixtures; see ../README.md).

const fs = require('fs');
const path = require('path');

const fixturesDir = path.join(__dirname, '..', 'fixtures');

function fixturePath(...args) {
  return path.join(fixturesDir, ...args);
}

module.exports = {
  fixturesDir,
  path: fixturePath,
  readSync: (args, enc) => fs.readFileSync(fixturePath(...[].concat(args)), enc),
  // Node's test/fixtures/utf8_test_text.txt, which its fixtures module also holds as a string.
  utf8TestText: fs.readFileSync(fixturePath('utf8_test_text.txt'), 'utf8'),
  get utf8TestTextPath() {
    return fixturePath('utf8_test_text.txt');
  },
};
