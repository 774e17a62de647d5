// The io-aio command itself: what the package installs, its help, and its answers to a
// missing or unknown subcommand and to bad options (getopt's messages, as GNU tools print them).

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { ROOT } from '../helpers.mjs'
import { BIN, cli } from './helpers.mjs'

test('the package installs bin/io-aio.js as the io-aio command, and packs what it runs', (t) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  t.deepEqual(pkg.bin, { 'io-aio': 'bin/io-aio.js' })
  t.is(path.join(ROOT, pkg.bin['io-aio']), BIN)
  t.true((fs.statSync(BIN).mode & 0o111) !== 0, 'executable')
  t.regex(fs.readFileSync(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/)
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  t.is(r.status, 0, r.stderr)
  const files = JSON.parse(r.stdout)[0].files.map((f) => f.path)
  for (const file of ['bin/io-aio.js', 'lib/cli/main.js', 'lib/cli/cp.js', 'lib/cli/du.js', 'lib/cli/find.js', 'lib/cli/mv.js', 'lib/cli/rm.js']) t.true(files.includes(file), `${file} is packed`)
})

test('io-aio --help lists the commands; --version names the package', (t) => {
  const help = cli(['--help'])
  t.is(help.status, 0)
  t.regex(help.stdout, /^Usage: io-aio <command>/)
  for (const name of ['cp', 'du', 'find', 'mv', 'rm']) t.regex(help.stdout, new RegExp(`^  ${name} `, 'm'))
  const version = cli(['--version'])
  t.is(version.status, 0)
  t.is(version.stdout, `io-aio ${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`)
})

test('io-aio without a command, or with an unknown one, says so and exits 1', (t) => {
  const none = cli([])
  t.is(none.status, 1)
  t.is(none.stderr, "io-aio: missing command\nTry 'io-aio --help' for more information.\n")
  const unknown = cli(['frobnicate'])
  t.is(unknown.status, 1)
  t.is(unknown.stderr, "io-aio: unknown command 'frobnicate'\nTry 'io-aio --help' for more information.\n")
})
