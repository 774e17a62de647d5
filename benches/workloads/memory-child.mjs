// The eio side of the memory row, in a process of its own so that nothing else moves its
// resident set: pauses the pool, submits COUNT nops, measures, then releases them.
// Prints { bytes, count, rssBytes, heapBytes } as JSON: `bytes` is the native share (growth
// of the resident set less growth of V8's heap), `rssBytes` the whole growth, `heapBytes`
// V8's part. Needs --expose-gc.

import * as eio from '../../index.js'

const count = Number(process.argv[2])
// Let the pool, the completion bridge and the JIT settle before the first reading.
await Promise.all(Array.from({ length: 10_000 }, () => eio.nop()))

globalThis.gc()
const before = process.memoryUsage()
eio.configure({ maxParallel: 0 })
const pending = new Array(count)
for (let i = 0; i < count; i++) pending[i] = eio.nop()
globalThis.gc()
const during = process.memoryUsage()
if (eio.nreqs() < count) throw new Error(`only ${eio.nreqs()} of ${count} requests outstanding`)

eio.configure({ maxParallel: 8 })
await Promise.all(pending)

const rssBytes = during.rss - before.rss
const heapBytes = during.heapTotal - before.heapTotal
console.log(JSON.stringify({ bytes: rssBytes - heapBytes, count, rssBytes, heapBytes }))
