#!/usr/bin/env node
// du: the disk usage of each directory given (default: .), like `du -s --bytes`-ish but
// counting allocated blocks as `du` does. The tree is scanned in parallel on eio's pool
// (`walk`) while a window of `lstat` requests runs beside it; a progress line on stderr
// shows how far it got. Hard-linked files count once. Unreadable directories are
// reported and skipped.
//
//   node examples/du.mjs [-h] [DIR...]
//
// Output: one line per DIR, `<bytes>\t<DIR>` (-h: human-readable sizes).

import { constants, lstat, walk } from 'io-aio'

/** lstat requests in flight at most: enough to keep the pool busy, bounded in memory. */
const WINDOW = 128

const args = process.argv.slice(2)
const human = args[0] === '-h'
const roots = (human ? args.slice(1) : args).length > 0 ? (human ? args.slice(1) : args) : ['.']

const progress = { entries: 0, bytes: 0 }
const ticker = process.stderr.isTTY
  ? setInterval(() => process.stderr.write(`\r\x1b[K${progress.entries} entries, ${format(progress.bytes)}`), 100)
  : undefined

function format(bytes) {
  if (!human) return String(bytes)
  const units = ['B', 'K', 'M', 'G', 'T', 'P']
  let i = 0
  for (; bytes >= 1024 && i < units.length - 1; i++) bytes /= 1024
  return `${bytes.toFixed(i === 0 || bytes >= 10 ? 0 : 1)}${units[i]}`
}

/** Bytes allocated to `root` and everything below it. */
async function usage(root) {
  const seen = new Set() // dev:ino of hard-linked files already counted
  let total = 0
  const count = (st) => {
    if (st.nlink > 1 && !st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`
      if (seen.has(key)) return
      seen.add(key)
    }
    total += st.blocks * 512
    progress.entries++
    progress.bytes += st.blocks * 512
  }
  count(await lstat(root))

  const inFlight = new Set()
  const onError = (err) => console.error(`du: cannot read directory '${err.path}': ${err.code}`)
  for await (const entry of walk(root, { onError })) {
    // Directories get a higher priority than files: their blocks are few and their
    // entries are what keeps the walk going.
    const priority = entry.type === constants.DT_DIR ? 1 : 0
    const pending = lstat(entry.path, { priority }).then(count, (err) => {
      if (err.code !== 'ENOENT') console.error(`du: cannot stat '${entry.path}': ${err.code}`)
    })
    inFlight.add(pending)
    pending.finally(() => inFlight.delete(pending))
    if (inFlight.size >= WINDOW) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  return total
}

let status = 0
for (const root of roots) {
  try {
    const bytes = await usage(root)
    if (ticker) process.stderr.write('\r\x1b[K')
    console.log(`${format(bytes)}\t${root}`)
  } catch (err) {
    console.error(`du: ${root}: ${err.message}`)
    status = 1
  }
}
if (ticker) {
  clearInterval(ticker)
  process.stderr.write('\r\x1b[K')
}
process.exitCode = status
