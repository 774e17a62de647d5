// Memory of a whole-tree walk: a tree of 1M entries (quick: 200k) in tmpfs, walked with
// `stat: true` by a slow consumer, each run in a fresh process (walk-memory-child.mjs) that
// records its peak resident set. eio streams: it should hold the entries not yet consumed
// (at most ~16k), whatever the tree's size. Anchors: @nodelib/fs.walk's stream with
// `stats: true` (Node's own recursive `fs.promises.opendir` misses entries on Node 20), and
// the scanners that return the whole tree at once (fdir's paths, `fs.promises.readdir`
// with `recursive` and `withFileTypes`), which hold every entry.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatValue, metrics, summarize } from '../lib/harness.mjs'

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'walk-memory-child.mjs')

export function rows(ctx) {
  const entries = ctx.quick ? 200_000 : 1_000_000
  let root
  const run = (contender) => () => child(contender, root, entries)
  const removeTree = () => fs.rmSync(path.dirname(root), { recursive: true, force: true })
  return [
    {
      id: 'walk-memory',
      title: `peak memory of walk({ stat: true }) over ${entries.toLocaleString('en')} entries with a slow consumer`,
      requires: ['walk'],
      metric: metrics.mebibytes,
      targets: [{ below: 64, note: 'held: the entries not yet consumed, not the tree' }],
      // Every run is a fresh process; the tree is cached after the setup wrote it.
      warmup: 0,
      runs: 3,
      setup: () => {
        root = buildTree(entries)
        // An interrupted run (run.mjs exits on SIGINT/SIGTERM) must not leave a million
        // inodes in a tmpfs that others share.
        process.on('exit', removeTree)
      },
      teardown: () => {
        process.off('exit', removeTree)
        removeTree()
      },
      contenders: [
        { name: 'eio', run: run('eio') },
        { name: '@nodelib/fs.walk stream with stats', run: run('nodelib') },
        { name: 'fdir', run: run('fdir') },
        { name: 'fs.promises.readdir recursive', run: run('readdir') },
      ],
      note: (results) => {
        const eio = results.find((r) => r.name === 'eio')
        if (!eio) return undefined
        const mib = (key) => formatValue(summarize(eio.measurements.map((m) => m[key] / 2 ** 20)).median)
        return `eio: the resident set grew at most ${mib('bytes')} MiB while ${entries.toLocaleString('en')} entries went by; V8's heap in use at most ${mib('heapBytes')} MiB, the heap V8 reserved (its young generation grows with the allocation rate) ${mib('heapTotalBytes')} MiB.`
      },
    },
  ]
}

/**
 * `entries` entries in tmpfs where there is one with inodes to spare (a disk filesystem
 * shared with other work takes minutes to fill): 1,000 directories of 999 empty files each.
 */
function buildTree(entries) {
  const shm = '/dev/shm'
  // Half a million inodes left for the others' fixtures.
  const roomy = fs.existsSync(shm) && fs.statfsSync(shm).ffree > entries + 500_000
  const base = roomy ? shm : os.tmpdir()
  const work = fs.mkdtempSync(path.join(base, 'eio-bench-walkmem-'))
  const root = path.join(work, 'tree')
  fs.mkdirSync(root)
  const perDir = 999
  for (let made = 0, d = 0; made < entries; d++) {
    const dir = path.join(root, `d${d}`)
    fs.mkdirSync(dir)
    made++
    for (let f = 0; f < perDir && made < entries; f++, made++) fs.closeSync(fs.openSync(path.join(dir, `f${f}`), 'w'))
  }
  return root
}

function child(contender, root, entries) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', CHILD, contender, root, String(entries)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    proc.stdout.on('data', (chunk) => (out += chunk))
    proc.on('error', reject)
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`walk-memory child (${contender}): exit ${code}`))))
  })
}
