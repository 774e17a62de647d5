// Row (b): lstat of every file of the cached corpus, all in flight at once and 256 in
// flight. Anchors: fs.promises.lstat, callback fs.lstat, a plain lstatSync loop, and
// IO::AIO's aio_lstat. Row lstat-many: the same files as one lstatMany request, against
// the same anchors all in flight (and eio's own lstat all in flight).

import fs from 'node:fs'
import * as eio from '../../index.js'
import { perlAnchor } from '../lib/external.mjs'
import { allAtOnce, inFlight, inFlightCallbacks, metrics, timed } from '../lib/harness.mjs'

export function rows(ctx) {
  const files = () => ctx.tree.files
  const row = (id, how, width) => ({
    id,
    title: `lstat of ${ctx.size.files.toLocaleString('en')} cached files, ${how}`,
    requires: ['lstat'],
    needs: ['tree'],
    metric: metrics.opsPerSecond,
    targets: [
      { vs: 'IO::AIO aio_lstat', atLeast: 1.25 },
      { vs: 'fs.promises.lstat', atLeast: 4 },
    ],
    contenders: [
      { name: 'eio', run: () => promised(files(), width, eio.lstat) },
      { name: 'fs.promises.lstat', run: () => promised(files(), width, fs.promises.lstat) },
      {
        name: 'callback fs.lstat',
        run: () => {
          const f = files()
          return timed(f.length, () => inFlightCallbacks(f.length, width || f.length, (i, done) => fs.lstat(f[i], done)))
        },
      },
      {
        name: 'lstatSync loop',
        run: () => {
          const f = files()
          return timed(f.length, () => {
            for (const file of f) fs.lstatSync(file)
          })
        },
      },
      perlAnchor(ctx.ioAio, 'IO::AIO aio_lstat', 'lstat.pl', () => [ctx.tree.fileList, width]),
    ],
  })
  const many = {
    id: 'lstat-many',
    title: `lstat of ${ctx.size.files.toLocaleString('en')} cached files as one lstatMany (anchors all in flight)`,
    requires: ['lstatMany'],
    needs: ['tree'],
    metric: metrics.opsPerSecond,
    targets: [
      { vs: 'IO::AIO aio_lstat', atLeast: 2 },
      { vs: 'fs.promises.lstat', atLeast: 4 },
    ],
    contenders: [
      {
        name: 'eio',
        run: () => {
          const f = files()
          // Every result read, as a caller would (each Stats is built on access).
          return timed(f.length, async () => {
            const list = await eio.lstatMany(f)
            for (let i = 0; i < list.length; i++) if (list.at(i).mtimeMs < 0) throw new Error('a stat failed')
          })
        },
      },
      { name: 'eio lstat, a promise each', run: () => promised(files(), 0, eio.lstat) },
      { name: 'fs.promises.lstat', run: () => promised(files(), 0, fs.promises.lstat) },
      perlAnchor(ctx.ioAio, 'IO::AIO aio_lstat', 'lstat.pl', () => [ctx.tree.fileList, 0]),
    ],
  }
  return [row('lstat-all', 'all in flight at once', 0), row('lstat-256', '256 in flight', 256), many]
}

/** `lstat(path)` of every file, `width` in flight (0: all at once). */
function promised(files, width, lstat) {
  const op = (i) => lstat(files[i])
  return timed(files.length, () => (width ? inFlight(files.length, width, op) : allAtOnce(files.length, op)))
}
