// eio's benchmark suite: `npm run bench [-- options]`.
//
//   --quick          a small corpus and fewer rounds (about a minute)
//   --only=ROWS      run only these rows (comma-separated; a prefix selects several,
//                    e.g. --only=lstat); --list shows the rows
//   --runs=N         measured rounds per row (default 5, quick 3)
//   --warmup=N       warm-up rounds per row (default 1)
//   --out=FILE       where to write the results (default benches/RESULTS.md)
//
// Progress goes to stderr, result tables to stdout. Rows whose eio function does not exist
// yet are skipped with a note, as are IO::AIO anchors where IO::AIO cannot be installed.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { createBigFile, createTree, makeWorkDir, removeWorkDir, SIZES } from './lib/corpus.mjs'
import { ensureIoAio } from './lib/external.mjs'
import { checkTargets, describeTarget, measureRow, missingFunctions, resultTable, targetTable } from './lib/harness.mjs'
import { loadAverage, machineFacts, writeResults } from './lib/report.mjs'
import * as copy from './workloads/copy.mjs'
import * as lstat from './workloads/lstat.mjs'
import * as memory from './workloads/memory.mjs'
import * as nop from './workloads/nop.mjs'
import * as promises from './workloads/promises.mjs'
import * as read from './workloads/read.mjs'
import * as rmtree from './workloads/rmtree.mjs'
import * as stat from './workloads/stat.mjs'
import * as treeCopy from './workloads/tree-copy.mjs'
import * as walk from './workloads/walk.mjs'
import * as walkMemory from './workloads/walk-memory.mjs'

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const WORKLOADS = [nop, lstat, walk, stat, read, copy, treeCopy, rmtree, memory, walkMemory, promises]

const log = (...args) => console.error(...args)

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    list: { type: 'boolean', default: false },
    runs: { type: 'string' },
    warmup: { type: 'string' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'RESULTS.md') },
  },
})
const rounds = {
  warmup: opts.warmup === undefined ? 1 : Number(opts.warmup),
  runs: opts.runs === undefined ? (opts.quick ? 3 : 5) : Number(opts.runs),
}
if (!(rounds.warmup >= 0 && rounds.runs >= 1)) throw new Error('--warmup must be ≥ 0 and --runs ≥ 1')

// What the workloads see: filled in below before any row runs.
const ctx = {
  quick: opts.quick,
  size: opts.quick ? SIZES.quick : SIZES.full,
  ioAio: {}, // { version } or { reason }, once checked
  workDir: undefined,
  oneFile: undefined,
  tree: undefined,
  big: undefined,
}

const allRows = WORKLOADS.flatMap((w) => w.rows(ctx))
if (opts.list) {
  for (const row of allRows) console.log(`${row.id.padEnd(12)} ${row.title}`)
  process.exit(0)
}
const wanted = opts.only?.split(',').map((s) => s.trim())
const selected = wanted ? allRows.filter((row) => wanted.some((w) => row.id.startsWith(w))) : allRows
if (selected.length === 0) throw new Error(`--only=${opts.only} matches no row; see --list`)

const skipped = []
const runnable = selected.filter((row) => {
  const missing = missingFunctions(row)
  if (missing.length === 0) return true
  const note = `${row.id}: ${missing.map((m) => `eio.${m}`).join(', ')} not available`
  log(`skipping ${note}`)
  skipped.push(note)
  return false
})

const started = new Date()
const loadStart = loadAverage()
log(`load average at start: ${loadStart}`)
Object.assign(ctx.ioAio, ensureIoAio(log))
if (!ctx.ioAio.version) log(`IO::AIO anchors will be skipped: ${ctx.ioAio.reason}`)

ctx.workDir = makeWorkDir()
const cleanUp = () => removeWorkDir(ctx.workDir)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanUp()
    process.exit(130)
  })
}

const measured = []
const notes = []
try {
  ctx.oneFile = path.join(ctx.workDir, 'one')
  fs.writeFileSync(ctx.oneFile, 'one cached file\n')
  const needs = new Set(runnable.flatMap((row) => row.needs ?? []))
  if (needs.has('tree')) {
    const t = Date.now()
    ctx.tree = createTree(ctx.workDir, ctx.size)
    log(`corpus: ${ctx.tree.entries.toLocaleString('en')} entries in ${ctx.tree.root} (${Date.now() - t} ms)`)
  }
  if (needs.has('bigFile')) {
    const t = Date.now()
    ctx.big = createBigFile(ctx.workDir, ctx.size.bigFileBytes)
    log(`big file: ${ctx.big.file} (${Date.now() - t} ms)`)
  }

  for (const row of runnable) {
    for (const c of row.contenders.filter((c) => c.skip)) {
      const note = `${row.id}: ${c.name} skipped: ${c.skip}`
      log(note)
      skipped.push(note)
    }
    log(`${row.id}: ${row.title}`)
    let result
    try {
      result = await measureRow(row, {
        warmup: row.warmup ?? rounds.warmup,
        runs: opts.runs === undefined ? (row.runs ?? rounds.runs) : rounds.runs,
        log,
      })
    } catch (err) {
      // A failing contender (say, a function that has just landed) costs its row only.
      const note = `${row.id}: failed: ${err.stack ?? err}`
      log(note)
      skipped.push(note.split('\n')[0])
      process.exitCode = 1
      continue
    }
    measured.push(result)
    const note = row.note?.(result.results)
    if (note) notes.push(`${row.id}: ${note}`)
    console.log(`\n${resultTable([result])}`)
    if (note) console.log(note)
    for (const t of checkTargets(result)) {
      console.log(`target ${describeTarget(t, row.metric)}: ${t.status}${t.measured ? ` (${t.measured})` : ''}`)
    }
    console.log()
  }
} finally {
  cleanUp()
}

const loadEnd = loadAverage()
log(`load average at end: ${loadEnd}`)
console.log(`## Targets\n\n${targetTable(measured)}\n`)
if (skipped.length) console.log(`## Not measured\n\n${skipped.map((s) => `- ${s}`).join('\n')}\n`)
writeResults(opts.out, {
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  started,
  facts: machineFacts({ tmpDir: os.tmpdir(), ioAio: ctx.ioAio, repoDir: path.join(BENCH_DIR, '..') }),
  loadStart,
  loadEnd,
  size: ctx.size,
  quick: ctx.quick,
  measured,
  notes,
  skipped,
})
log(`results written to ${path.relative(process.cwd(), opts.out) || opts.out}`)
