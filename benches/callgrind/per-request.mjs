// The JS thread's cost per request, in instructions (benches/ANALYSIS.md, "Issue 13: the
// JS thread's cost per request"): run under callgrind by measure.sh, which dumps the
// counters at each mark this prints. Between the two marks: ROUNDS rounds of FILES
// requests all in flight, after WARMUP rounds (the JIT settled).
//
//   node per-request.mjs [lstat|many|nop] [dir]
//
// lstat: Promise.all(files.map(lstat)); many: one lstatMany(files) per round, every
// result read; nop: FILES nops. The files are FILES empty files in `dir` (made if absent).
// Marks go to stdout ("mark N"); after each the script waits for a line on stdin.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'

import * as eio from '../../index.js'

const FILES = 20_000
const WARMUP = 3
const ROUNDS = 5

const mode = process.argv[2] ?? 'lstat'
const dir = process.argv[3] ?? path.join(os.tmpdir(), 'eio-callgrind-files')
fs.mkdirSync(dir, { recursive: true })
const files = Array.from({ length: FILES }, (_, i) => path.join(dir, `f${i}`))
for (const f of files) if (!fs.existsSync(f)) fs.writeFileSync(f, '')

const rounds = {
  lstat: () => Promise.all(files.map((f) => eio.lstat(f))),
  many: async () => {
    const list = await eio.lstatMany(files)
    for (let i = 0; i < list.length; i++) if (list.at(i).size !== 0) throw new Error('a stat failed')
  },
  nop: () => Promise.all(files.map(() => eio.nop())),
}
const round = rounds[mode]
if (round === undefined) throw new Error(`unknown mode ${mode}: lstat, many or nop`)

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
let marks = 0
async function mark() {
  console.log(`mark ${++marks}`)
  await lines.next()
}

for (let i = 0; i < WARMUP; i++) await round()
await mark()
for (let i = 0; i < ROUNDS; i++) await round()
await mark()
console.log(`requests ${mode === 'many' ? ROUNDS : ROUNDS * FILES} paths ${ROUNDS * FILES}`)
process.exit(0)
