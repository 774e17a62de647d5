// One contender of the walk-memory row, in a process of its own: scans ROOT (ENTRIES
// entries) with a slow consumer, sampling the resident set as it goes. Prints
// { bytes, heapBytes, heapTotalBytes, count, seconds }: the peak growth of the resident set,
// of V8's used heap and of the heap V8 reserved, over the baseline taken before the scan.
// Needs --expose-gc.

import fs from 'node:fs'
import path from 'node:path'
import * as nodelibWalk from '@nodelib/fs.walk'
import { fdir } from 'fdir'
import * as eio from '../../index.js'

const [contender, root, expected] = [process.argv[2], process.argv[3], Number(process.argv[4])]

// Let the pool, the completion bridge and the JIT settle before the baseline.
for await (const _ of eio.walk(path.dirname(root), { stat: true, maxDepth: 1 }));
await fs.promises.lstat(root)
globalThis.gc()
const before = process.memoryUsage()
let peakRss = before.rss
let peakHeap = before.heapUsed
let peakHeapTotal = before.heapTotal
const sample = () => {
  const m = process.memoryUsage()
  if (m.rss > peakRss) peakRss = m.rss
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
  if (m.heapTotal > peakHeapTotal) peakHeapTotal = m.heapTotal
}

// The consumer: slow (it waits for a timer every 250 entries: at most ~250k entries a
// second, slower than the scanners read a cached tree), so that a scanner that reads ahead
// without bound would have the whole tree in memory before it is consumed.
let count = 0
async function consume(entry) {
  if (entry === undefined) throw new Error('no entry')
  if (++count % 250 === 0) {
    if (count % 10_000 === 0) sample()
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

const start = process.hrtime.bigint()
switch (contender) {
  case 'eio':
    for await (const e of eio.walk(root, { stat: true })) await consume(e.stats)
    break
  case 'nodelib':
    for await (const e of nodelibWalk.walkStream(root, { stats: true })) await consume(e.stats)
    break
  case 'fdir': {
    const paths = await new fdir().withFullPaths().withDirs().crawl(root).withPromise()
    sample()
    for (const p of paths.slice(1)) await consume(p)
    break
  }
  case 'readdir': {
    const all = await fs.promises.readdir(root, { recursive: true, withFileTypes: true })
    sample()
    for (const d of all) await consume(d)
    break
  }
  default:
    throw new Error(`unknown contender ${contender}`)
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9
sample()
if (count !== expected) throw new Error(`${contender} saw ${count} entries, the tree has ${expected}`)
const heapTotalBytes = peakHeapTotal - before.heapTotal
console.log(JSON.stringify({ bytes: peakRss - before.rss, heapBytes: peakHeap - before.heapUsed, heapTotalBytes, count, seconds }))
