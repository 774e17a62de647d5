#!/usr/bin/env node
// du: the disk usage of each FILE given (default: .), as GNU `du -s -B1` reports it (or
// `du -sh` with -h): the blocks allocated to it and everything below it, a file with
// several hard links counted once across all FILEs, symlinks not followed. The tree is
// read natively on eio's pool with each entry's lstat in the same batch (`walk` with
// `stat: true`); a progress line on stderr shows how far it got. Unreadable directories
// are reported and skipped (the exit status is then 1, as du's).
//
//   node examples/du.mjs [-s] [-h] [FILE...]
//
// Output: one line per FILE, `<bytes>\t<FILE>` (-h: sizes as du -h shows them: 4.0K, 12M);
// -s is accepted for du's sake: the totals are all there is.

import { parseArgs, getSystemErrorMap } from 'node:util'
import { lstat, walk } from 'io-aio'

let human, roots
try {
  const { values, positionals } = parseArgs({
    options: { human: { type: 'boolean', short: 'h' }, summarize: { type: 'boolean', short: 's' } },
    allowPositionals: true,
  })
  human = values.human ?? false
  roots = positionals.length > 0 ? positionals : ['.']
} catch (err) {
  console.error(`du: ${err.message}`)
  process.exit(1)
}

/** The text du prints for an error ('No such file or directory': libuv's, as the C library has it for the common errors). */
function describe(err) {
  const text = getSystemErrorMap().get(err.errno)?.[1] ?? err.message
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * What was counted already (`dev:ino`): files with several links and, when several FILEs
 * are given, everything (so that `du a a/b` counts `a/b` once), as du does.
 */
const seen = new Set()
const countAll = roots.length > 1
let status = 0

/** Bytes as du -h shows them: powers of 1024, rounded up, one decimal below 10. */
function format(bytes) {
  if (!human || bytes < 1024) return String(bytes)
  const units = ['K', 'M', 'G', 'T', 'P', 'E']
  let unit = 0
  let divisor = 1024
  while (bytes >= divisor * 1024 && unit < units.length - 1) {
    divisor *= 1024
    unit++
  }
  // Dividing by a power of two is exact, so the rounding up is too.
  const tenths = Math.ceil((bytes * 10) / divisor)
  if (tenths < 100) return `${(tenths / 10).toFixed(1)}${units[unit]}`
  const whole = Math.ceil(bytes / divisor)
  if (whole >= 1024 && unit < units.length - 1) return `1.0${units[unit + 1]}`
  return `${whole}${units[unit]}`
}

/** Whether `st` was counted already; remembers it if it may be met again. */
function counted(st) {
  if (!countAll && (st.nlink < 2 || st.isDirectory())) return false
  const key = `${st.dev}:${st.ino}`
  if (seen.has(key)) return true
  seen.add(key)
  return false
}

/** The bytes `st` adds: its blocks, unless it was counted already. */
function bytesOf(st) {
  return counted(st) ? 0 : st.blocks * 512
}

/** Bytes allocated to `root` and everything below it; undefined if counted already. */
async function usage(root) {
  const top = await lstat(root)
  if (counted(top)) return undefined
  let total = top.blocks * 512
  if (!top.isDirectory()) return total // a file, or a symlink (not followed)
  const onError = (err) => {
    console.error(`du: cannot read directory '${err.path}': ${describe(err)}`)
    status = 1
  }
  const onProgress = process.stderr.isTTY
    ? ({ entries }) => process.stderr.write(`\r\x1b[K${entries} entries, ${format(total)}`)
    : undefined
  for await (const entry of walk(root, { stat: true, onError, onProgress })) total += bytesOf(entry.stats)
  if (onProgress) process.stderr.write('\r\x1b[K')
  return total
}

for (const root of roots) {
  try {
    const bytes = await usage(root)
    if (bytes !== undefined) console.log(`${format(bytes)}\t${root}`)
  } catch (err) {
    console.error(`du: cannot access '${root}': ${describe(err)}`)
    status = 1
  }
}
process.exitCode = status
