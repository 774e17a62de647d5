// Assembles the io-aio-source package (npm/source: its manifest, README and install
// script) with the Rust sources it builds (Cargo.toml, Cargo.lock, crates/*) into a
// directory ready for `npm pack` or `npm publish`, at the root package's version.
//   node scripts/source-package.mjs <dir>
// The root package names io-aio-source, at its own version, as an optional peer
// dependency (so that pnpm's strict layout lets io-aio find it); this refuses to assemble
// if that version differs. `npm version` keeps it in step (package.json's "version" script):
//   node scripts/source-package.mjs --sync-version

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dest = process.argv[2]
if (!dest) throw new Error('usage: node scripts/source-package.mjs <dir>')

const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
if (dest === '--sync-version') {
  rootPkg.peerDependencies['io-aio-source'] = rootPkg.version
  fs.writeFileSync(path.join(root, 'package.json'), `${JSON.stringify(rootPkg, null, 2)}\n`)
  process.exit(0)
}
if (rootPkg.peerDependencies?.['io-aio-source'] !== rootPkg.version) {
  throw new Error(`package.json: peerDependencies['io-aio-source'] must be ${rootPkg.version}, the version of io-aio`)
}

fs.rmSync(dest, { recursive: true, force: true })
fs.mkdirSync(dest, { recursive: true })
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', 'source', 'package.json'), 'utf8'))
pkg.version = rootPkg.version
fs.writeFileSync(path.join(dest, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
for (const file of ['README.md', 'build.js']) fs.copyFileSync(path.join(root, 'npm', 'source', file), path.join(dest, file))
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(dest, 'LICENSE'))
for (const file of ['Cargo.toml', 'Cargo.lock']) fs.copyFileSync(path.join(root, file), path.join(dest, file))
for (const crate of fs.readdirSync(path.join(root, 'crates'))) {
  const from = path.join(root, 'crates', crate)
  const to = path.join(dest, 'crates', crate)
  fs.mkdirSync(to, { recursive: true })
  for (const file of ['Cargo.toml', 'build.rs']) {
    if (fs.existsSync(path.join(from, file))) fs.copyFileSync(path.join(from, file), path.join(to, file))
  }
  fs.cpSync(path.join(from, 'src'), path.join(to, 'src'), { recursive: true, filter: (p) => !fs.statSync(p).isFile() || p.endsWith('.rs') })
}
console.log(`io-aio-source ${pkg.version} assembled in ${dest}`)
