// Row (d): serial latency — one stat of a cached file at a time, each awaited before the
// next starts. Anchors: fs.promises.stat and callback fs.stat (a callback chain, no
// promises).

import fs from 'node:fs'
import * as eio from '../../index.js'
import { metrics, timed } from '../lib/harness.mjs'

export function rows(ctx) {
  const total = ctx.quick ? 5_000 : 50_000
  return [
    {
      id: 'stat-serial',
      title: `${total.toLocaleString('en')} stats of one cached file, one at a time`,
      requires: ['stat'],
      metric: metrics.microsPerOp,
      targets: [{ atMost: 10 }],
      contenders: [
        {
          name: 'eio',
          run: () =>
            timed(total, async () => {
              for (let i = 0; i < total; i++) await eio.stat(ctx.oneFile)
            }),
        },
        {
          name: 'fs.promises.stat',
          run: () =>
            timed(total, async () => {
              for (let i = 0; i < total; i++) await fs.promises.stat(ctx.oneFile)
            }),
        },
        {
          name: 'callback fs.stat',
          run: () => timed(total, () => callbackChain(total, (done) => fs.stat(ctx.oneFile, done))),
        },
      ],
    },
  ]
}

/** Runs `op(done)` `total` times, each started from the previous one's callback. */
function callbackChain(total, op) {
  return new Promise((resolve, reject) => {
    let left = total
    const next = (err) => {
      if (err) reject(err)
      else if (left-- === 0) resolve()
      else op(next)
    }
    next()
  })
}
