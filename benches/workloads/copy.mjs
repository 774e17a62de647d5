// Row (f): copying the cached big file to a new file on the same filesystem. Before each
// run the previous copy is removed and the filesystem synced, so every contender starts
// from the same state; after each run the copy's size is checked. Anchors: cp and
// fs.promises.copyFile.

import fs from 'node:fs'
import path from 'node:path'
import * as eio from '../../index.js'
import { settle } from '../lib/corpus.mjs'
import { timeCommand } from '../lib/external.mjs'
import { formatBytes, metrics, timed } from '../lib/harness.mjs'

export function rows(ctx) {
  const dest = () => path.join(ctx.workDir, 'copy.bin')
  const checked = (copy) => async () => {
    const m = await copy(ctx.big.file, dest())
    const copied = fs.statSync(dest()).size
    if (copied !== ctx.big.bytes) throw new Error(`copy has ${copied} bytes, expected ${ctx.big.bytes}`)
    return m
  }
  return [
    {
      id: 'copy',
      title: `copy of a cached ${formatBytes(ctx.size.bigFileBytes)} file`,
      requires: ['copy'],
      needs: ['bigFile'],
      metric: metrics.gibPerSecond,
      targets: [{ vs: 'cp', atLeast: 1.0 }],
      beforeEach: () => {
        fs.rmSync(dest(), { force: true })
        settle(ctx.workDir)
      },
      teardown: () => fs.rmSync(dest(), { force: true }),
      contenders: [
        { name: 'eio', run: checked((src, dst) => timed(ctx.big.bytes, () => eio.copy(src, dst))) },
        { name: 'cp', run: checked((src, dst) => timeCommand(ctx.big.bytes, 'cp', [src, dst])) },
        {
          name: 'fs.promises.copyFile',
          run: checked((src, dst) => timed(ctx.big.bytes, () => fs.promises.copyFile(src, dst))),
        },
      ],
    },
  ]
}
