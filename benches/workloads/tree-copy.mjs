// Row (h): copying the whole corpus (a tree of small files) to a new directory on the same
// filesystem. Before each run the previous copy is removed and the filesystem synced
// (untimed), so every contender starts from the same state: a cached source, an empty
// destination; after each run the copy must hold every entry. Anchors: GNU `cp -a` (which
// keeps what eio's copy keeps: modes, owners, times, links), `fs.promises.cp` and
// fs-extra's `copy` (both with `recursive`, as Node users call them; they keep modes,
// not owners nor times).

import fs from 'node:fs'
import path from 'node:path'
import fse from 'fs-extra'
import * as eio from '../../index.js'
import { settle } from '../lib/corpus.mjs'
import { timeCommand } from '../lib/external.mjs'
import { metrics, timed } from '../lib/harness.mjs'

export function rows(ctx) {
  const dst = () => path.join(ctx.workDir, 'tree-copy')
  const entries = () => ctx.tree.entries
  /** Counts the entries below `dir` (itself excluded), without following symlinks. */
  const count = (dir) => {
    let n = 0
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      n++
      if (e.isDirectory()) n += count(path.join(dir, e.name))
    }
    return n
  }
  const complete = (copy) => async () => {
    const m = await copy(ctx.tree.root, dst())
    const copied = count(dst())
    if (copied !== entries()) throw new Error(`the copy has ${copied} entries, expected ${entries()}`)
    return m
  }
  return [
    {
      id: 'tree-copy',
      title: `copy of the corpus (${ctx.size.files.toLocaleString('en')} files, ${ctx.size.dirs.toLocaleString('en')} directories) to a new directory`,
      requires: ['copy'],
      needs: ['tree'],
      metric: metrics.milliseconds,
      // Creating 100k files waits on the journal: a run takes tens of seconds.
      warmup: 0,
      runs: ctx.quick ? 1 : 3,
      targets: [
        { vs: 'cp -a', atLeast: 1.0 },
        { vs: 'fs.promises.cp', atLeast: 3.0 },
      ],
      beforeEach: () => {
        fs.rmSync(dst(), { recursive: true, force: true })
        settle(ctx.workDir)
      },
      teardown: () => fs.rmSync(dst(), { recursive: true, force: true }),
      contenders: [
        {
          name: 'eio',
          run: complete((src, to) => timed(entries(), () => eio.copy(src, to, { recursive: true }))),
        },
        { name: 'cp -a', run: complete((src, to) => timeCommand(entries(), 'cp', ['-a', src, to])) },
        {
          name: 'fs.promises.cp',
          run: complete((src, to) => timed(entries(), () => fs.promises.cp(src, to, { recursive: true }))),
        },
        { name: 'fs-extra copy', run: complete((src, to) => timed(entries(), () => fse.copy(src, to))) },
      ],
    },
  ]
}
