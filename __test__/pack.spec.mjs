// The package as users get it: `npm pack` the root package and the linux-x64-gnu platform
// package, install the tarballs into a fresh project with no cargo on PATH, and use eio
// there through `import` and `require`. Also: without the platform package the install
// still succeeds and importing eio fails with one error naming the platform.
//
// Needs the build (`npm run build`) and runs only on linux-x64 with glibc, the platform
// whose addon the build made.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { ROOT, tmpdir } from './helpers.mjs'

const PLATFORM = 'linux-x64-gnu'
const onPlatform =
  process.platform === 'linux' && process.arch === 'x64' && Boolean(process.report.getReport().header.glibcVersionRuntime)
const addon = path.join(ROOT, `io-aio.${PLATFORM}.node`)

/** npm's own entry point, to run it under a PATH that lacks cargo. */
function npmCli() {
  if (process.env.npm_execpath?.endsWith('.js')) return process.env.npm_execpath
  return path.join(path.dirname(fs.realpathSync(process.execPath)), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')
}

/** The environment of a user without Rust: PATH without any directory holding cargo. */
function envWithoutCargo(home) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && !fs.existsSync(path.join(d, 'cargo')))
  // Node must stay reachable for npm's lifecycle scripts.
  const bin = path.join(home, 'bin')
  fs.mkdirSync(bin)
  fs.symlinkSync(process.execPath, path.join(bin, 'node'))
  const env = { PATH: [bin, ...dirs].join(path.delimiter), HOME: home, npm_config_cache: path.join(home, 'npm-cache') }
  for (const key of ['TMPDIR', 'LANG']) if (process.env[key]) env[key] = process.env[key]
  return env
}

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...options })
  if (r.error) throw r.error
  return r
}

/** `npm pack` of `dir` into `dest`; returns the tarball's path and its file list. */
function pack(dir, dest, env) {
  const r = run(process.execPath, [npmCli(), 'pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: dir, env })
  if (r.status !== 0) throw new Error(`npm pack failed in ${dir}: ${r.stderr}`)
  const [info] = JSON.parse(r.stdout)
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path) }
}

function install(project, tarballs, env) {
  return run(
    process.execPath,
    [npmCli(), 'install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', ...tarballs],
    { cwd: project, env },
  )
}

const SMOKE = `
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as esm from 'io-aio'
import eioDefault from 'io-aio'

const cjs = createRequire(import.meta.url)('io-aio')
// One module instance behind both entry points: every export is a named ESM export.
assert.equal(eioDefault, cjs)
for (const key of Object.keys(cjs)) assert.equal(esm[key], cjs[key], key)
// One addon, loaded from the platform package.
const addons = process.report.getReport().sharedObjects.filter((p) => /io-aio[.][\\w-]+[.]node$/.test(p))
assert.equal(addons.length, 1, addons.join(', '))
assert.match(addons[0], /node_modules[/]io-aio-${PLATFORM}[/]io-aio[.]${PLATFORM}[.]node$/)

const dir = process.argv[2]
fs.writeFileSync(path.join(dir, 'a'), 'hello')
const st = await esm.stat(path.join(dir, 'a'))
assert.equal(st.size, 5)
assert.equal((await cjs.lstat(dir)).isDirectory(), true)
const notes = []
if (typeof esm.walk === 'function') {
  fs.mkdirSync(path.join(dir, 'sub'))
  fs.writeFileSync(path.join(dir, 'sub', 'b'), '')
  const seen = []
  for await (const entry of esm.walk(dir)) seen.push(entry.name)
  assert.deepEqual(seen.sort(), ['a', 'b', 'sub'])
} else notes.push('walk is not exported yet: not checked')
if (typeof esm.copy === 'function') {
  await esm.copy(path.join(dir, 'a'), path.join(dir, 'copied'))
  assert.equal(fs.readFileSync(path.join(dir, 'copied'), 'utf8'), 'hello')
} else notes.push('copy is not exported yet: not checked')
for (const note of notes) console.log('note: ' + note)
console.log('smoke ok')
`

const packTest = onPlatform && fs.existsSync(addon) ? test.serial : test.serial.skip

packTest('the packed packages install without cargo and work from ESM and CJS', async (t) => {
  const home = tmpdir(t)
  const env = envWithoutCargo(home)
  t.not(run('sh', ['-c', 'command -v cargo'], { env }).status, 0, 'cargo is not on PATH')

  const root = pack(ROOT, home, env)
  for (const file of ['index.js', 'index.mjs', 'index.d.ts', 'index.d.mts', 'binding.js', 'scripts/postinstall.js', 'Cargo.lock', 'crates/eio-node/src/lib.rs']) {
    t.true(root.files.includes(file), `the root tarball has ${file}`)
  }
  t.false(root.files.some((f) => f.endsWith('.node')), 'the root tarball carries no addon')
  t.false(root.files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.mts')), 'no TypeScript sources')

  // The platform package as `napi artifacts` would fill it: its manifest plus the addon.
  const platformDir = path.join(home, PLATFORM)
  fs.mkdirSync(platformDir)
  for (const file of fs.readdirSync(path.join(ROOT, 'npm', PLATFORM))) {
    fs.copyFileSync(path.join(ROOT, 'npm', PLATFORM, file), path.join(platformDir, file))
  }
  fs.copyFileSync(addon, path.join(platformDir, path.basename(addon)))
  const platform = pack(platformDir, home, env)
  t.deepEqual(platform.files.sort(), ['README.md', path.basename(addon), 'package.json'])

  const project = path.join(home, 'project')
  fs.mkdirSync(project)
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'smoke', private: true }))
  fs.writeFileSync(path.join(project, 'smoke.mjs'), SMOKE)

  // Without the platform package: the install succeeds, the import names the platform.
  const bare = install(project, [root.tarball], env)
  t.is(bare.status, 0, bare.stderr)
  t.regex(bare.stdout + bare.stderr, /no prebuilt native addon for linux-x64-gnu and no cargo on PATH/)
  const failed = run(process.execPath, ['-e', "try { require('io-aio') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }"], { cwd: project, env })
  const err = JSON.parse(failed.stdout)
  t.is(err.code, 'ERR_IO_AIO_NATIVE_UNAVAILABLE')
  t.regex(err.message, /linux-x64-gnu \(platform=linux, arch=x64, libc=glibc\)/)
  t.regex(err.message, /rustup\.rs/)

  // With it: no build, and eio works.
  const full = install(project, [root.tarball, platform.tarball], env)
  t.is(full.status, 0, full.stderr)
  t.notRegex(full.stdout + full.stderr, /building the native addon/)
  t.false(fs.existsSync(path.join(project, 'node_modules', 'io-aio', `io-aio.${PLATFORM}.node`)), 'nothing was built')
  const work = path.join(home, 'work')
  fs.mkdirSync(work)
  const smoke = run(process.execPath, ['smoke.mjs', work], { cwd: project, env })
  t.is(smoke.status, 0, smoke.stderr)
  t.regex(smoke.stdout, /smoke ok/)
  for (const note of smoke.stdout.split('\n').filter((l) => l.startsWith('note:'))) t.log(note)
})
