// Row (a): round trips through the pool with nothing to do — the cost of eio's own
// machinery (submit, hand-off, completion, promise). Anchors: fs.promises.access of one
// cached file (the cheapest libuv pool round trip) and IO::AIO's aio_nop.

import fs from 'node:fs'
import * as eio from '../../index.js'
import { perlAnchor } from '../lib/external.mjs'
import { allAtOnce, inFlight, metrics, timed } from '../lib/harness.mjs'

const WIDTH = 256

export function rows(ctx) {
  const total = ctx.quick ? 100_000 : 1_000_000
  const targets = [{ vs: 'IO::AIO aio_nop', atLeast: 1.5, note: 'the issue measured IO::AIO at 1.30M/s' }]
  const row = (id, title, width) => ({
    id,
    title,
    requires: ['nop'],
    metric: metrics.opsPerSecond,
    targets,
    contenders: [
      { name: 'eio', run: () => timed(total, () => spread(total, width, () => eio.nop())) },
      {
        name: 'fs.promises.access',
        run: () => timed(total, () => spread(total, width, () => fs.promises.access(ctx.oneFile))),
      },
      perlAnchor(ctx.ioAio, 'IO::AIO aio_nop', 'nop.pl', () => [total, width]),
    ],
  })
  return [
    row('nop-256', `${total.toLocaleString('en')} nop round trips, ${WIDTH} in flight`, WIDTH),
    row('nop-all', `${total.toLocaleString('en')} nop round trips, all in flight at once`, 0),
  ]
}

/** `width` 0 means all at once. */
function spread(total, width, op) {
  return width ? inFlight(total, width, op) : allAtOnce(total, op)
}
