// Node's own tests of fs/promises, ported to io-aio/promises (see README.md): each file
// of parallel/ runs in a process of its own, as Node's test runner runs them, with the
// flags its `// Flags:` line names, and passes when that process exits with 0.

import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import test from 'ava'

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = path.join(here, 'parallel')
const files = readdirSync(dir).filter((f) => /^test-.*\.m?js$/.test(f)).sort()

/** The node flags a test asks for on its `// Flags:` line. */
function flagsOf(source) {
  const match = /^\/\/ Flags: (.*)$/m.exec(source)
  return match ? match[1].trim().split(/\s+/) : []
}

/**
 * Tests that skip as root (permission checks) say `// io-aio: run unprivileged`: run as
 * root, they are started as uid/gid 65534 instead, so that they run.
 */
function identityOf(source) {
  if (!/^\/\/ io-aio: run unprivileged/m.test(source) || process.getuid?.() !== 0) return {}
  return { uid: 65534, gid: 65534 }
}

// At most this many test processes at once: the machine is shared.
let slots = Math.max(1, Math.min(2, availableParallelism()))
const waiting = []
async function slot() {
  if (slots > 0) {
    slots--
    return
  }
  await new Promise((resolve) => waiting.push(resolve))
}
function release() {
  const next = waiting.shift()
  if (next) next()
  else slots++
}

function run(file) {
  return new Promise((resolve, reject) => {
    const source = readFileSync(path.join(dir, file), 'utf8')
    const child = spawn(process.execPath, [...flagsOf(source), path.join(dir, file)], {
      ...identityOf(source),
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, output }))
  })
}

test('the ported tests are all here', (t) => {
  t.true(files.length >= 40, `${files.length} ported test files`)
})

for (const file of files) {
  test(file, async (t) => {
    await slot()
    try {
      const { code, signal, output } = await run(file)
      t.is(signal, null, output)
      t.is(code, 0, output)
      t.notRegex(output, /^1\.\.0 # Skipped/m, 'a ported test must run here, not skip')
    } finally {
      release()
    }
  })
}
