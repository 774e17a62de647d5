// The progress line: on stderr when it is a terminal (here a pseudo-terminal made by
// script(1)), redrawn in place and erased at the end; never when stderr is not one (the
// other CLI tests compare stderr with GNU's, which has none).

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { have, tmpdir } from '../helpers.mjs'
import { BIN, environment } from './helpers.mjs'

/** Runs `io-aio <args>` with a terminal as stdout and stderr; returns what it wrote there. */
function onTerminal(args, cwd) {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env: environment(), encoding: 'latin1', timeout: 120_000 })
  if (r.error) throw r.error
  return r
}

/** The progress lines drawn in `output`, and what is left once they are taken out. */
function progressOf(output) {
  const drawn = [...output.matchAll(/\r([^\r\x1b]*)\x1b\[K/g)].map((m) => m[1]).filter((l) => l !== '')
  return { drawn, rest: output.replace(/\r[^\r\x1b]*\x1b\[K/g, '') }
}

/** A scratch directory with `src`, a tree of 1,000 files in 20 directories. */
function sourceTree(t) {
  const dir = tmpdir(t)
  for (let d = 0; d < 20; d++) {
    fs.mkdirSync(path.join(dir, 'src', `d${d}`), { recursive: true })
    for (let f = 0; f < 50; f++) fs.writeFileSync(path.join(dir, 'src', `d${d}`, `f${f}`), Buffer.alloc(5000, f))
  }
  return dir
}

const LINE = (command, verb) => new RegExp(`^io-aio ${command}: ${verb} [\\d,]+ entr(y|ies), [\\d.]+ (B|KiB|MiB|GiB)$`)

test('cp, mv and rm draw a progress line on a terminal and erase it at the end', (t) => {
  if (!have('script')) return t.pass(console.log('skipped: needs script(1) for a terminal'))
  const dir = sourceTree(t)
  for (const [args, command, verb] of [
    [['cp', '-r', 'src', 'copy'], 'cp', 'copied'],
    [['mv', 'copy', 'moved'], 'mv', 'moved'],
    [['rm', '-r', 'moved'], 'rm', 'removed'],
  ]) {
    const r = onTerminal(args, dir)
    t.is(r.status, 0, r.stdout)
    const { drawn, rest } = progressOf(r.stdout)
    t.true(drawn.length >= 1, `${command} drew a progress line: ${JSON.stringify(r.stdout)}`)
    for (const line of drawn) t.regex(line, LINE(command, verb))
    t.true(r.stdout.endsWith('\r\x1b[K'), 'the line is erased at the end')
    t.is(rest, '', 'nothing else was written')
  }
  t.is(fs.readdirSync(dir).sort().join(), 'src')
})

test('du draws a progress line on a terminal and erases it before it prints', (t) => {
  if (!have('script')) return t.pass(console.log('skipped: needs script(1) for a terminal'))
  const dir = sourceTree(t)
  const r = onTerminal(['du', '-s', 'src'], dir)
  t.is(r.status, 0, r.stdout)
  const { drawn, rest } = progressOf(r.stdout)
  t.true(drawn.length >= 1, `du drew a progress line: ${JSON.stringify(r.stdout)}`)
  for (const line of drawn) t.regex(line, LINE('du', 'read'))
  // The terminal turns \n into \r\n; the line comes after the progress line was erased.
  t.regex(r.stdout, /\r\x1b\[K\d+\tsrc\r\n$/)
  t.regex(rest, /^\d+\tsrc\r\n$/)
})
