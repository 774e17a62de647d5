'use strict';
// A stand-in for Node's test/common/tmpdir: one scratch directory per test process,
// under the system's temporary directory, removed when the process exits.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');

const name = path.basename(require.main?.filename ?? process.argv[1] ?? 'test', path.extname(process.argv[1] ?? ''));
const tmpPath = path.join(os.tmpdir(), `io-aio-node-fs-${name}-${process.pid}`);

let cleanupRegistered = false;

/** Empties (or creates) the scratch directory; it is removed at exit. */
function refresh() {
  fs.rmSync(tmpPath, { recursive: true, force: true, maxRetries: 3 });
  fs.mkdirSync(tmpPath, { recursive: true });
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.on('exit', () => {
      try {
        // Some tests leave read-only directories behind: make them removable first.
        fs.chmodSync(tmpPath, 0o777);
      } catch {
        // already gone
      }
      fs.rmSync(tmpPath, { recursive: true, force: true });
    });
  }
}

/** Whether the filesystem of the scratch directory has `size` bytes free. */
function hasEnoughSpace(size) {
  const { bavail, bsize } = fs.statfsSync(tmpPath);
  return bavail >= Math.ceil(size / bsize);
}

module.exports = {
  path: tmpPath,
  refresh,
  hasEnoughSpace,
  resolve: (...paths) => path.resolve(tmpPath, ...paths),
  // Without arguments, the directory's URL ends with a slash.
  fileURL: (...paths) => pathToFileURL(path.resolve(`${tmpPath}${path.sep}`, ...paths)),
};
