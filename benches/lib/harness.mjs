// The measuring core of the benchmark suite: timing, keeping N operations in flight,
// interleaved rounds, medians, ratios against the anchors, targets and the result table.
//
// A row is one workload measured with several contenders (eio and its anchors):
//   { id, title, metric, contenders: [{ name, run, skip? }], targets?, requires?, needs?,
//     setup?(), beforeEach?(contender), teardown?(), note?(results), warmup?, runs? }
// `requires` names the eio functions the row needs (the row is skipped without them),
// `needs` the parts of the corpus ('tree', 'bigFile'). A target is { vs: anchor name,
// atLeast: ratio }, { atMost: value } or { below: value }, with an optional `note`.
// `run()` returns a measurement ({ seconds, count } or { bytes, count }); the row's
// `metric` turns it into the number shown. The contender named 'eio' is the one compared.

import v8 from 'node:v8'
import vm from 'node:vm'
import * as eio from '../../index.js'

// A full collection before each timed run, so that no contender pays for the garbage the
// previous one left. (`npm run bench` runs plain `node`, so expose gc from here.)
v8.setFlagsFromString('--expose-gc')
const collectGarbage = vm.runInNewContext('gc')

/** How a measurement becomes the number in the table, and which way is better. */
export const metrics = {
  opsPerSecond: { unit: 'ops/s', better: 'higher', of: (m) => m.count / m.seconds },
  microsPerOp: { unit: 'µs/op', better: 'lower', of: (m) => (m.seconds * 1e6) / m.count },
  // `count` is the number of bytes moved.
  gibPerSecond: { unit: 'GiB/s', better: 'higher', of: (m) => m.count / 2 ** 30 / m.seconds },
  milliseconds: { unit: 'ms', better: 'lower', of: (m) => m.seconds * 1e3 },
  bytesPerRequest: { unit: 'B/req', better: 'lower', of: (m) => m.bytes / m.count },
  // `bytes` is a memory size (a peak, a growth).
  mebibytes: { unit: 'MiB', better: 'lower', of: (m) => m.bytes / 2 ** 20 },
}

/** Runs `fn` once and returns how long it took, with the number of operations it did. */
export async function timed(count, fn) {
  const start = process.hrtime.bigint()
  await fn()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { seconds, count }
}

/**
 * Calls `op(i, lane)` for i in [0, total), keeping `width` promises in flight; `lane`
 * (0 .. width-1) lets each in-flight slot own a buffer.
 */
export async function inFlight(total, width, op) {
  let next = 0
  const lane = async (id) => {
    while (next < total) await op(next++, id)
  }
  await Promise.all(Array.from({ length: Math.min(width, total) }, (_, id) => lane(id)))
}

/** Starts `op(i)` for every i in [0, total) at once and waits for all of them. */
export async function allAtOnce(total, op) {
  const pending = new Array(total)
  for (let i = 0; i < total; i++) pending[i] = op(i)
  await Promise.all(pending)
}

/**
 * Callback style of `inFlight`: `op(i, done)` must call `done(err)`. `width >= total`
 * starts everything at once.
 */
export function inFlightCallbacks(total, width, op) {
  return new Promise((resolve, reject) => {
    let next = 0
    let active = 0
    let failed = false
    const start = () => {
      const i = next++
      active++
      op(i, (err) => {
        active--
        if (failed) return
        if (err) {
          failed = true
          reject(err)
        } else if (next < total) start()
        else if (active === 0) resolve()
      })
    }
    if (total === 0) resolve()
    for (let k = Math.min(width, total); k > 0; k--) start()
  })
}

/** Median, minimum and maximum of a list of numbers. */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1] }
}

/** How many times better eio's median is than another's (>1: eio is faster or smaller). */
export function advantage(metric, eioValue, otherValue) {
  return metric.better === 'higher' ? eioValue / otherValue : otherValue / eioValue
}

/** The eio functions a row needs that this build does not export yet. */
export function missingFunctions(row) {
  return (row.requires ?? []).filter((name) => typeof eio[name] !== 'function')
}

/**
 * Measures one row: `warmup + runs` rounds, each running every contender once, and the
 * warm-up rounds discarded. Returns the summary of each contender that is not skipped.
 */
export async function measureRow(row, { warmup, runs, log }) {
  await row.setup?.()
  try {
    return await measureRounds(row, { warmup, runs, log })
  } finally {
    await row.teardown?.()
  }
}

async function measureRounds(row, { warmup, runs, log }) {
  const contenders = row.contenders.filter((c) => !c.skip)
  const samples = new Map(contenders.map((c) => [c.name, []]))
  const measurements = new Map(contenders.map((c) => [c.name, []]))
  const rounds = warmup + runs
  for (let round = 0; round < rounds; round++) {
    // Vary who goes first and who follows whom: rotate by the round number, and run every
    // other round backwards.
    const shift = round % contenders.length
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)]
    if (round % 2) order.reverse()
    for (const contender of order) {
      await row.beforeEach?.(contender)
      collectGarbage()
      const m = await contender.run()
      if (round < warmup) continue
      samples.get(contender.name).push(row.metric.of(m))
      measurements.get(contender.name).push(m)
    }
    log(`  ${row.id}: round ${round + 1}/${rounds}${round < warmup ? ' (warm-up)' : ''} done`)
  }
  return {
    row,
    warmup,
    runs,
    results: contenders.map((c) => ({
      name: c.name,
      ...summarize(samples.get(c.name)),
      measurements: measurements.get(c.name),
    })),
  }
}

/** Each target of a measured row, with the measured value and whether it is met. */
export function checkTargets(measured) {
  const { row, results } = measured
  const eioResult = results.find((r) => r.name === 'eio')
  return (row.targets ?? []).map((target) => {
    if (!eioResult) return { ...target, status: 'not measured' }
    if (target.vs) {
      const anchor = results.find((r) => r.name === target.vs)
      if (!anchor) return { ...target, status: `not measured (${target.vs} did not run)` }
      const ratio = advantage(row.metric, eioResult.median, anchor.median)
      return { ...target, measured: `${ratio.toFixed(2)}x`, status: ratio >= target.atLeast ? 'met' : 'NOT met' }
    }
    const v = eioResult.median
    const ok = target.atMost !== undefined ? v <= target.atMost : v < target.below
    return { ...target, measured: `${formatValue(v)} ${row.metric.unit}`, status: ok ? 'met' : 'NOT met' }
  })
}

/** Human text of a target, e.g. "≥1.25x IO::AIO aio_lstat" or "≤10 µs/op". */
export function describeTarget(target, metric) {
  const text = target.vs
    ? `≥${target.atLeast}x ${target.vs}`
    : target.atMost !== undefined
      ? `≤${target.atMost} ${metric.unit}`
      : `<${target.below} ${metric.unit}`
  return target.note ? `${text} (${target.note})` : text
}

/** Three significant digits, with k/M suffixes for large numbers. */
export function formatValue(v) {
  const sig = (x) => Number(x.toPrecision(3)).toString()
  if (v >= 1e6) return `${sig(v / 1e6)}M`
  if (v >= 1e4) return `${sig(v / 1e3)}k`
  return sig(v)
}

/** A size in MiB or GiB, e.g. "64 MiB". */
export function formatBytes(bytes) {
  return bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`
}

/** The markdown table of measured rows: one line per contender, eio first. */
export function resultTable(measuredRows) {
  const lines = [
    '| row | contender | median | min–max | unit | eio vs it |',
    '|---|---|--:|--:|---|--:|',
  ]
  for (const { row, results } of measuredRows) {
    const eioResult = results.find((r) => r.name === 'eio')
    for (const r of results) {
      const ratio =
        r === eioResult || !eioResult ? '' : `${advantage(row.metric, eioResult.median, r.median).toFixed(2)}x`
      lines.push(
        `| ${row.id} | ${r.name} | ${formatValue(r.median)} | ${formatValue(r.min)}–${formatValue(r.max)} | ${row.metric.unit} | ${ratio} |`,
      )
    }
  }
  return lines.join('\n')
}

/** The markdown table of every target of the measured rows and whether it is met. */
export function targetTable(measuredRows) {
  const lines = ['| row | target | measured | status |', '|---|---|--:|---|']
  for (const measured of measuredRows) {
    for (const t of checkTargets(measured)) {
      lines.push(`| ${measured.row.id} | ${describeTarget(t, measured.row.metric)} | ${t.measured ?? ''} | ${t.status} |`)
    }
  }
  return lines.join('\n')
}
