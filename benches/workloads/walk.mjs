// Row (c): a recursive scan of the cached corpus that reports every entry with its type
// (symlinks not followed). Anchors: fdir, @nodelib/fs.walk, fs.promises.readdir with
// `recursive`, GNU find, and a recursion over IO::AIO's aio_readdirx. Every contender must
// find every entry, or the run fails.

import fs from 'node:fs'
import { promisify } from 'node:util'
import * as nodelibWalk from '@nodelib/fs.walk'
import { fdir } from 'fdir'
import * as eio from '../../index.js'
import { perlAnchor, timeCommand } from '../lib/external.mjs'
import { metrics, timed } from '../lib/harness.mjs'

const nodelibWalkAsync = promisify(nodelibWalk.walk)

export function rows(ctx) {
  const root = () => ctx.tree.root
  // Times `scan()`, which returns the number of entries it saw, and checks that number.
  const counted = (scan) => async () => {
    let entries
    const m = await timed(ctx.tree.entries, async () => {
      entries = await scan()
    })
    expectAll(ctx, entries)
    return m
  }
  return [
    {
      id: 'walk',
      title: `recursive scan with types of ${ctx.size.dirs.toLocaleString('en')} directories, ${ctx.size.files.toLocaleString('en')} files`,
      requires: ['walk'],
      needs: ['tree'],
      metric: metrics.milliseconds,
      targets: [
        { vs: 'IO::AIO readdirx', atLeast: 1.25 },
        { vs: 'fdir', atLeast: 1.5 },
      ],
      contenders: [
        {
          name: 'eio',
          run: counted(async () => {
            let n = 0
            for await (const _entry of eio.walk(root())) n++
            return n
          }),
        },
        {
          name: 'fdir',
          // withDirs lists directories too, marked by a trailing slash, and the root itself.
          run: counted(async () => (await new fdir().withFullPaths().withDirs().crawl(root()).withPromise()).length - 1),
        },
        {
          name: '@nodelib/fs.walk',
          run: counted(async () => (await nodelibWalkAsync(root())).length),
        },
        {
          name: 'fs.promises.readdir recursive',
          run: counted(async () => (await fs.promises.readdir(root(), { recursive: true, withFileTypes: true })).length),
        },
        {
          name: 'find',
          run: async () => {
            // One line per entry, its type (%y) and path; the root itself is the first.
            let lines = 0
            const m = await timeCommand(ctx.tree.entries, 'find', [root(), '-printf', '%y %p\\n'], {
              onStdout: (chunk) => {
                for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
              },
            })
            expectAll(ctx, lines - 1)
            return m
          },
        },
        perlAnchor(ctx.ioAio, 'IO::AIO readdirx', 'readdirx.pl', () => [root()], (m) => expectAll(ctx, m.count)),
      ],
    },
  ]
}

function expectAll(ctx, entries) {
  if (entries !== ctx.tree.entries) throw new Error(`scan saw ${entries} entries, the corpus has ${ctx.tree.entries}`)
}
