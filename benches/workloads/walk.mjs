// Rows (c) and (d): recursive scans of the cached corpus. `walk`: every entry with its type
// (symlinks not followed); anchors fdir, @nodelib/fs.walk, fs.promises.readdir with
// `recursive`, GNU find, and a recursion over IO::AIO's aio_readdirx. `du`: every entry
// lstat-ed and its blocks summed, as `du -s`; anchors GNU du, IO::AIO's aio_readdirx with
// an aio_lstat per entry, and fdir with fs.promises.lstat. Every contender must find every
// entry (and the same bytes), or the run fails.

import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import * as nodelibWalk from '@nodelib/fs.walk'
import { fdir } from 'fdir'
import * as eio from '../../index.js'
import { perlAnchor, timeCommand } from '../lib/external.mjs'
import { inFlight, metrics, timed } from '../lib/harness.mjs'

const nodelibWalkAsync = promisify(nodelibWalk.walk)

export function rows(ctx) {
  const root = () => ctx.tree.root
  // Times `work()` over the tree's entries, then checks what it returned with `check`.
  const checked = (work, check) => async () => {
    let out
    const m = await timed(ctx.tree.entries, async () => {
      out = await work()
    })
    check(out)
    return m
  }
  // `scan()` returns the number of entries it saw.
  const counted = (scan) => checked(scan, (entries) => expectAll(ctx, entries))
  // `sum()` returns the bytes allocated to the tree.
  let want
  const usage = (sum) => checked(sum, (bytes) => expectBytes(want, bytes))
  const size = `${ctx.size.dirs.toLocaleString('en')} directories, ${ctx.size.files.toLocaleString('en')} files`
  return [
    {
      id: 'walk',
      title: `recursive scan with types of ${size}`,
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
    {
      id: 'du',
      title: `du -s: every entry of ${size} lstat-ed, its blocks summed`,
      requires: ['walk'],
      needs: ['tree'],
      metric: metrics.milliseconds,
      targets: [{ vs: 'du -s', atLeast: 1.0 }],
      // What every contender must find: the tree's allocated bytes, as lstatSync sees them.
      setup: () => {
        want = diskUsage(root())
      },
      contenders: [
        {
          name: 'eio',
          run: usage(async () => {
            const once = new Set()
            let bytes = (await eio.lstat(root())).blocks * 512
            for await (const e of eio.walk(root(), { stat: true })) bytes += blocksOf(e.stats, once)
            return bytes
          }),
        },
        {
          name: 'du -s',
          run: async () => {
            let out = ''
            const m = await timeCommand(ctx.tree.entries, 'du', ['-s', '-B1', root()], { onStdout: (chunk) => (out += chunk) })
            expectBytes(want, Number(out.split('\t')[0]))
            return m
          },
        },
        perlAnchor(ctx.ioAio, 'IO::AIO readdirx+aio_lstat', 'du.pl', () => [root()], (m) => {
          expectAll(ctx, m.count)
          expectBytes(want, m.bytes)
        }),
        {
          name: 'fdir + fs.promises.lstat',
          run: usage(async () => {
            // withDirs lists the root too; 256 lstats in flight (all at once is slower).
            const paths = await new fdir().withFullPaths().withDirs().crawl(root()).withPromise()
            const once = new Set()
            let bytes = 0
            await inFlight(paths.length, 256, async (i) => {
              const st = await fs.promises.lstat(paths[i])
              bytes += blocksOf(st, once)
            })
            return bytes
          }),
        },
      ],
    },
  ]
}

/** The blocks `st` adds in bytes, a file with several links counted once (as du does). */
function blocksOf(st, once) {
  if (st.nlink > 1 && !st.isDirectory()) {
    const key = `${st.dev}:${st.ino}`
    if (once.has(key)) return 0
    once.add(key)
  }
  return st.blocks * 512
}

/** The bytes allocated to the tree at `root`, as lstatSync sees them. */
function diskUsage(root) {
  const once = new Set()
  let bytes = blocksOf(fs.lstatSync(root), once)
  for (const d of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    bytes += blocksOf(fs.lstatSync(path.join(d.parentPath ?? d.path, d.name)), once)
  }
  return bytes
}

function expectAll(ctx, entries) {
  if (entries !== ctx.tree.entries) throw new Error(`scan saw ${entries} entries, the corpus has ${ctx.tree.entries}`)
}

function expectBytes(want, bytes) {
  if (bytes !== want) throw new Error(`counted ${bytes} bytes, the corpus has ${want}`)
}
