// Memory row: 1M requests (quick: 250k) outstanding at once (nops with the pool paused), and what each
// costs in native memory, measured in a fresh process per run (memory-child.mjs).
// Anchor: IO::AIO with max_parallel 0, where the whole growth of perl's resident set is
// native.

import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { perlAnchor } from '../lib/external.mjs'
import { formatValue, metrics, summarize } from '../lib/harness.mjs'

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'memory-child.mjs')

export function rows(ctx) {
  const count = ctx.quick ? 250_000 : 1_000_000
  return [
    {
      id: 'memory',
      title: `native memory per request, ${count.toLocaleString('en')} nops outstanding at once`,
      requires: ['nop', 'configure', 'nreqs'],
      metric: metrics.bytesPerRequest,
      targets: [{ below: 300 }],
      // Every run is a fresh process: nothing to warm up.
      warmup: 0,
      contenders: [
        { name: 'eio', run: () => child(count) },
        perlAnchor(ctx.ioAio, 'IO::AIO aio_nop', 'memory.pl', () => [count]),
      ],
      note: (results) => {
        const eio = results.find((r) => r.name === 'eio')
        if (!eio) return undefined
        const per = (key) => formatValue(summarize(eio.measurements.map((m) => m[key] / m.count)).median)
        return `eio: the whole resident set grew ${per('rssBytes')} B/req, of which V8's heap (promises and their bookkeeping) ${per('heapBytes')} B/req.`
      },
    },
  ]
}

function child(count) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', CHILD, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    proc.stdout.on('data', (chunk) => (out += chunk))
    proc.on('error', reject)
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`memory child: exit ${code}`))))
  })
}
