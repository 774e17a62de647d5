// The package as users get it: `npm pack` the root package and the linux-x64-gnu platform
// package, install the tarballs into a fresh project with no cargo on PATH (npm runs no
// install script and prints no warning about one), run the README's first example from
// the installed package, and use eio there through `import` and `require`. Also: without
// the platform package the install still succeeds and importing eio fails with one error
// naming the platform; with io-aio-source (and cargo) the addon is built at install and
// loaded from there.
//
// Needs the build (`npm run build`) and runs only on linux-x64 with glibc, the platform
// whose addon the build made.

import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { readmeExamples, runExample } from './docs-examples.mjs'
import { ROOT, have, tmpdir } from './helpers.mjs'

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

/**
 * npm 11.19's warning after every install, for each package with install scripts:
 * "npm warn install-scripts 1 package has install scripts not yet covered by allowScripts:"
 * then "  io-aio@0.1.0 (postinstall: ...)". It lists preinstall, install and postinstall,
 * and `prepare` for packages installed from a file or git, never from the registry: this
 * test installs tarballs, so `prepare` (the checkout's build) may be listed here.
 */
const INSTALL_SCRIPT_LISTED = /\((?:pre|post)?install: /

packTest('the packed packages install without cargo and work from ESM and CJS', async (t) => {
  const home = tmpdir(t)
  const env = envWithoutCargo(home)
  t.not(run('sh', ['-c', 'command -v cargo'], { env }).status, 0, 'cargo is not on PATH')

  const root = pack(ROOT, home, env)
  for (const file of ['index.js', 'index.mjs', 'index.d.ts', 'index.d.mts', 'binding.js', 'LICENSE', 'README.md']) {
    t.true(root.files.includes(file), `the root tarball has ${file}`)
  }
  t.false(root.files.some((f) => f.endsWith('.node')), 'the root tarball carries no addon')
  t.false(root.files.some((f) => f.endsWith('.rs')), 'nor the Rust sources (io-aio-source has them)')
  t.false(root.files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.mts')), 'no TypeScript sources')
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  for (const script of ['preinstall', 'install', 'postinstall']) t.is(manifest.scripts[script], undefined, `no ${script} script`)

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
  t.notRegex(bare.stdout + bare.stderr, INSTALL_SCRIPT_LISTED)
  const failed = run(process.execPath, ['-e', "try { require('io-aio') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }"], { cwd: project, env })
  const err = JSON.parse(failed.stdout)
  t.is(err.code, 'ERR_IO_AIO_NATIVE_UNAVAILABLE')
  t.regex(err.message, /linux-x64-gnu \(platform=linux, arch=x64, libc=glibc\)/)
  t.regex(err.message, /rustup\.rs/)
  t.regex(err.message, /npm install io-aio-source/)

  // With it: nothing runs at install (npm 11 has no install script to warn about), and
  // eio works.
  const full = install(project, [root.tarball, platform.tarball], env)
  t.is(full.status, 0, full.stderr)
  t.notRegex(full.stdout + full.stderr, INSTALL_SCRIPT_LISTED)
  const again = install(project, [], env)
  t.is(again.status, 0, again.stderr)
  t.notRegex(again.stdout + again.stderr, INSTALL_SCRIPT_LISTED, 'nor on a later install')
  const work = path.join(home, 'work')
  fs.mkdirSync(work)
  const smoke = run(process.execPath, ['smoke.mjs', work], { cwd: project, env })
  t.is(smoke.status, 0, smoke.stderr)
  t.regex(smoke.stdout, /smoke ok/)
  for (const note of smoke.stdout.split('\n').filter((l) => l.startsWith('note:'))) t.log(note)

  // The README's first example, as the installed package ships it, run in the project.
  const installed = path.join(project, 'node_modules', 'io-aio')
  const [first] = readmeExamples(path.join(installed, 'README.md'))
  const example = runExample(project, { ...first, where: `installed ${first.where}` }, { packageDir: installed })
  t.is(example.status, 0, example.stderr)
})

// Packaging, not syscalls: not again for the portable build (npm run test:portable-js).
const sourceTest = onPlatform && have('cargo') && process.env.EIO_PORTABLE !== '1' ? test.serial : test.serial.skip

sourceTest('with io-aio-source installed, the addon is built from source at install and loaded from there', async (t) => {
  t.timeout(20 * 60_000, 'cargo builds the addon') // a release build with LTO, on a loaded machine
  const home = tmpdir(t)
  const root = pack(ROOT, home, process.env)
  const assembled = path.join(home, 'io-aio-source')
  t.is(run(process.execPath, [path.join(ROOT, 'scripts', 'source-package.mjs'), assembled]).status, 0)
  const source = pack(assembled, home, process.env)
  t.true(source.files.includes('crates/eio-node/src/lib.rs') && source.files.includes('Cargo.lock'))
  const project = path.join(home, 'project')
  fs.mkdirSync(project)
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'from-source', private: true }))
  // The workspace's target directory, where `npm run build` has built the dependencies:
  // only eio-core and eio-node compile again (their sources are elsewhere now).
  const env = { ...process.env, CARGO_TARGET_DIR: path.join(ROOT, 'target'), npm_config_cache: path.join(home, 'npm-cache') }
  delete env.NAPI_RS_NATIVE_LIBRARY_PATH // it would name the addon to load
  const r = install(project, [root.tarball, source.tarball], env)
  t.is(r.status, 0, r.stderr)
  t.regex(r.stderr, /io-aio-source: built the native addon/)
  t.regex(r.stdout + r.stderr, /io-aio-source@[\d.]+ \(postinstall: node build\.js\)/, "npm lists io-aio-source's install script, and no other")
  t.notRegex(r.stdout + r.stderr, /io-aio@[\d.]+ \((?:pre|post)?install: /)
  t.true(fs.existsSync(path.join(project, 'node_modules', 'io-aio-source', 'io-aio.node')))
  const loaded = run(
    process.execPath,
    ['-e', "const eio = require('io-aio'); eio.stat('.').then((st) => console.log(st.isDirectory(), process.report.getReport().sharedObjects.filter((p) => p.endsWith('.node')).join()))"],
    { cwd: project, env },
  )
  t.is(loaded.status, 0, loaded.stderr)
  t.regex(loaded.stdout, /^true .*node_modules[/]io-aio-source[/]io-aio[.]node$/m)
})
