// Rows for io-aio/promises: the same program run with node:fs/promises and with
// io-aio/promises, one import changed (the module is the only difference between the two
// contenders; the compared one is named 'eio', as everywhere in the harness). On the
// cached corpus:
//   fsp-readfile  readFile of 10k small (<= 4 KiB) files, 64 in flight
//   fsp-readdir   readdir({ recursive: true, withFileTypes: true }) of the whole corpus
//   fsp-build     a build tool's step: stat every file, readFile 10k of them, mkdir -p the
//                 output directories and writeFile 1k outputs, 64 in flight
//   fsp-cp        cp({ recursive: true }) of the corpus tree

import fs from 'node:fs'
import nodeFsp from 'node:fs/promises'
import path from 'node:path'
import fsp from '../../lib/promises/index.js'
import { inFlight, metrics, timed } from '../lib/harness.mjs'

const WIDTH = 64
const READS = 10_000
const OUTPUTS = 1_000

/** The first `count` regular files of the corpus of at most 4 KiB, and their total size. */
function smallFiles(ctx, count) {
  const files = []
  let bytes = 0
  for (const f of ctx.tree.files) {
    if (files.length === count) break
    const { size } = fs.statSync(f)
    if (size <= 4096) {
      files.push(f)
      bytes += size
    }
  }
  return { files, bytes }
}

/** One build step, written once, run with either module (`api`). */
async function buildStep(api, files, reads, outDir, root) {
  await inFlight(files.length, WIDTH, (i) => api.stat(files[i]))
  const sources = new Array(reads.length)
  await inFlight(reads.length, WIDTH, async (i) => {
    sources[i] = await api.readFile(reads[i], 'utf8')
  })
  const outputs = reads.slice(0, OUTPUTS).map((f) => `${path.join(outDir, path.relative(root, f))}.out`)
  const dirs = [...new Set(outputs.map((o) => path.dirname(o)))]
  await inFlight(dirs.length, WIDTH, (i) => api.mkdir(dirs[i], { recursive: true }))
  await inFlight(outputs.length, WIDTH, (i) => api.writeFile(outputs[i], sources[i].toUpperCase()))
}

export function rows(ctx) {
  let round = 0
  let reads = { files: [], bytes: 0 }
  // Each contender must read every byte, or the run fails.
  const readAll = (api) => async () => {
    let bytes = 0
    const m = await timed(reads.files.length, () =>
      inFlight(reads.files.length, WIDTH, async (i) => {
        const data = await api.readFile(reads.files[i])
        bytes += data.length // after the await: `bytes +=` before it would add to a stale total
      }),
    )
    if (bytes !== reads.bytes) throw new Error(`read ${bytes} bytes, expected ${reads.bytes}`)
    return m
  }
  // Each contender must find every entry, or the run fails.
  const scan = (api) => async () => {
    let n = 0
    const m = await timed(ctx.tree.entries, async () => {
      n = (await api.readdir(ctx.tree.root, { recursive: true, withFileTypes: true })).length
    })
    if (n !== ctx.tree.entries) throw new Error(`${n} entries, expected ${ctx.tree.entries}`)
    return m
  }
  // Each round writes into a directory of its own, removed afterwards (not timed).
  const build = (api) => async () => {
    const outDir = path.join(ctx.workDir, `fsp-build-${round++}`)
    const count = ctx.tree.files.length + reads.files.length + OUTPUTS
    const m = await timed(count, () => buildStep(api, ctx.tree.files, reads.files, outDir, ctx.tree.root))
    fs.rmSync(outDir, { recursive: true, force: true })
    return m
  }
  const copyTree = (api) => async () => {
    const dest = path.join(ctx.workDir, `fsp-cp-${round++}`)
    const m = await timed(ctx.tree.entries, () => api.cp(ctx.tree.root, dest, { recursive: true }))
    const copied = fs.readdirSync(dest, { recursive: true, withFileTypes: true }).length
    fs.rmSync(dest, { recursive: true, force: true })
    if (copied !== ctx.tree.entries) throw new Error(`${copied} entries copied, expected ${ctx.tree.entries}`)
    return m
  }
  const pair = (run) => [
    { name: 'eio', run: run(fsp) },
    { name: 'node:fs/promises', run: run(nodeFsp) },
  ]
  return [
    {
      id: 'fsp-readfile',
      title: `io-aio/promises readFile of ${READS.toLocaleString('en')} small (<= 4 KiB) files, ${WIDTH} in flight`,
      needs: ['tree'],
      metric: metrics.opsPerSecond,
      targets: [{ vs: 'node:fs/promises', atLeast: 3 }],
      setup: () => {
        reads = smallFiles(ctx, READS)
      },
      contenders: pair(readAll),
    },
    {
      id: 'fsp-readdir',
      title: 'io-aio/promises readdir({ recursive: true, withFileTypes: true }) of the corpus',
      needs: ['tree'],
      metric: metrics.milliseconds,
      targets: [{ vs: 'node:fs/promises', atLeast: 3 }],
      contenders: pair(scan),
    },
    {
      id: 'fsp-build',
      title: `io-aio/promises build step: stat every file, readFile ${READS.toLocaleString('en')}, mkdir -p and writeFile ${OUTPUTS.toLocaleString('en')} outputs, ${WIDTH} in flight`,
      needs: ['tree'],
      metric: metrics.milliseconds,
      targets: [{ vs: 'node:fs/promises', atLeast: 2 }],
      setup: () => {
        reads = smallFiles(ctx, READS)
      },
      contenders: pair(build),
    },
    {
      id: 'fsp-cp',
      title: 'io-aio/promises cp({ recursive: true }) of the corpus',
      needs: ['tree'],
      metric: metrics.milliseconds,
      runs: 1,
      warmup: 0,
      targets: [{ vs: 'node:fs/promises', atLeast: 3 }],
      contenders: pair(copyTree),
    },
  ]
}
