// io-aio-source's install script: builds io-aio's native addon from the Rust sources in
// this package with cargo, into io-aio.node next to this file (the package's `main`),
// which io-aio loads before any prebuilt addon (lib/native.ts). It is the only install
// script of io-aio's packages, and runs only for users who install this package: where
// no prebuilt addon exists, or to build their own.
//
// Without cargo, or if the build fails, the installation fails: the user asked for a build.
// CARGO_TARGET_DIR, when set, is used and kept (a later build reuses it); otherwise the
// build uses a temporary directory and removes it.

'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const log = (msg) => console.error(`io-aio-source: ${msg}`)

/** The shared library cargo writes for the eio-node crate. */
const cdylib = process.platform === 'darwin' ? 'libeio_node.dylib' : 'libeio_node.so'

function main() {
  if (spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status !== 0) {
    log('cargo is not on PATH: install Rust (https://rustup.rs), then `npm rebuild io-aio-source`')
    return 1
  }
  const userTarget = process.env.CARGO_TARGET_DIR
  const targetDir = userTarget || fs.mkdtempSync(path.join(os.tmpdir(), 'io-aio-cargo-'))
  log(`building the native addon with cargo (target directory ${targetDir}); this takes a few minutes`)
  try {
    const manifest = path.join(__dirname, 'crates', 'eio-node', 'Cargo.toml')
    const r = spawnSync('cargo', ['build', '--release', '--locked', '--manifest-path', manifest], {
      stdio: 'inherit',
      env: { ...process.env, CARGO_TARGET_DIR: targetDir },
    })
    if (r.status !== 0) {
      log('the build failed (see cargo output above)')
      return 1
    }
    fs.copyFileSync(path.join(targetDir, 'release', cdylib), path.join(__dirname, 'io-aio.node'))
  } finally {
    if (!userTarget) fs.rmSync(targetDir, { recursive: true, force: true })
  }
  log('built the native addon: io-aio loads it from here')
  return 0
}

process.exitCode = main()
