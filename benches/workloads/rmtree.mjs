// Row (g): removing a whole tree. Before each run a fresh copy of the corpus is built
// (untimed: the same seed gives the same tree) and the filesystem synced, so every contender removes the same,
// cached tree; after each run the tree must be gone. Anchors: rimraf, fs.promises.rm,
// rm -rf, and IO::AIO's aio_rmtree with 8 threads.

import fs from 'node:fs'
import path from 'node:path'
import { rimraf } from 'rimraf'
import * as eio from '../../index.js'
import { buildTree, settle } from '../lib/corpus.mjs'
import { perlAnchor, timeCommand } from '../lib/external.mjs'
import { metrics, timed } from '../lib/harness.mjs'

const IO_AIO_THREADS = 8

export function rows(ctx) {
  const doomed = () => path.join(ctx.workDir, 'doomed')
  const entries = () => ctx.tree.entries
  const expectGone = () => {
    if (fs.existsSync(doomed())) throw new Error(`${doomed()} is still there`)
  }
  const gone = (remove) => async () => {
    const m = await remove(doomed())
    expectGone()
    return m
  }
  return [
    {
      id: 'rmtree',
      title: `rmtree of a fresh copy of the corpus (${ctx.size.files.toLocaleString('en')} files)`,
      requires: ['rmtree'],
      needs: ['tree'],
      metric: metrics.milliseconds,
      // Each round builds the corpus once per contender, and creating a file costs ~0.5 ms
      // of kernel time on the ext4 this was written on (100k files: ~45 s), so this row runs
      // fewer rounds, without warm-up (the JIT matters little in runs of seconds).
      warmup: 0,
      runs: ctx.quick ? 1 : 3,
      targets: [{ vs: `IO::AIO aio_rmtree (${IO_AIO_THREADS} threads)`, atLeast: 1.0 }],
      beforeEach: () => {
        fs.rmSync(doomed(), { recursive: true, force: true })
        buildTree(doomed(), ctx.size)
        settle(ctx.workDir)
      },
      teardown: () => fs.rmSync(doomed(), { recursive: true, force: true }),
      contenders: [
        { name: 'eio', run: gone((dir) => timed(entries(), () => eio.rmtree(dir))) },
        { name: 'rimraf', run: gone((dir) => timed(entries(), () => rimraf(dir))) },
        { name: 'fs.promises.rm', run: gone((dir) => timed(entries(), () => fs.promises.rm(dir, { recursive: true }))) },
        { name: 'rm -rf', run: gone((dir) => timeCommand(entries(), 'rm', ['-rf', dir])) },
        perlAnchor(
          ctx.ioAio,
          `IO::AIO aio_rmtree (${IO_AIO_THREADS} threads)`,
          'rmtree.pl',
          () => [doomed(), IO_AIO_THREADS, entries()],
          expectGone,
        ),
      ],
    },
  ]
}
