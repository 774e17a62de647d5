// Runs after `npm install io-aio`. Normally npm has installed the prebuilt addon for this
// platform (the io-aio-<platform> optional dependency) and there is nothing to do. When no
// prebuilt addon loads and cargo is on PATH, this builds the addon from the Rust sources
// shipped in the package and puts it where the loader (binding.js) looks first:
// io-aio.<platform>.node next to it. It never fails the installation: if the addon is still
// missing, importing io-aio throws one error saying what to install (lib/native.ts).
//
// In a git checkout (the package is not inside node_modules) it does nothing, whatever the
// settings: `prepare` builds there. Set npm_config_build_from_source=true (`npm install --build-from-source`)
// to build even when a prebuilt addon would load. A CARGO_TARGET_DIR you set is used and
// kept; otherwise the build uses a temporary target directory and removes it.

'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const log = (msg) => console.error(`io-aio: ${msg}`)

/** The loader's name for this platform (as binding.js and lib/native.ts spell it). */
function platformName() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const glibc = process.report.getReport().header.glibcVersionRuntime
    return `${platform}-${arch}-${glibc ? 'gnu' : 'musl'}`
  }
  if (platform === 'win32') return `${platform}-${arch}-msvc`
  return `${platform}-${arch}`
}

/** The shared library cargo writes for the eio-node crate. */
function cdylibName() {
  if (process.platform === 'win32') return 'eio_node.dll'
  if (process.platform === 'darwin') return 'libeio_node.dylib'
  return 'libeio_node.so'
}

/** Whether the addon loads, tried in a child so that a failed dlopen leaves no trace here. */
function addonLoads() {
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', path.join(root, 'binding.js')], {
    stdio: 'ignore',
  })
  return r.status === 0
}

function haveCargo() {
  return spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status === 0
}

function buildFromSource() {
  const userTarget = process.env.CARGO_TARGET_DIR
  const targetDir = userTarget || fs.mkdtempSync(path.join(os.tmpdir(), 'eio-cargo-'))
  log(`building the native addon from source with cargo (target directory ${targetDir}); this takes a few minutes`)
  try {
    const r = spawnSync(
      'cargo',
      ['build', '--release', '--locked', '--manifest-path', path.join(root, 'crates', 'eio-node', 'Cargo.toml')],
      { stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: targetDir } },
    )
    if (r.status !== 0) return false
    fs.copyFileSync(path.join(targetDir, 'release', cdylibName()), path.join(root, `io-aio.${platformName()}.node`))
    return true
  } finally {
    if (!userTarget) fs.rmSync(targetDir, { recursive: true, force: true })
  }
}

function main() {
  const forced = /^(1|true)$/i.test(process.env.npm_config_build_from_source ?? '')
  if (!root.split(path.sep).includes('node_modules')) return
  if (!forced && addonLoads()) return
  if (!haveCargo()) {
    log(`no prebuilt native addon for ${platformName()} and no cargo on PATH: importing io-aio will fail until one is installed`)
    return
  }
  if (buildFromSource() && addonLoads()) {
    log(`built the native addon for ${platformName()}`)
  } else {
    log('building the native addon from source failed (see cargo output above)')
  }
}

main()
