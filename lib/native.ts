// The one place that loads the native addon. The generated loader (../binding.js) tries a
// local build (io-aio.<platform>.node next to it: `npm run build`, or the source build of the
// postinstall script) and then the prebuilt platform package (io-aio-<platform>). When both
// are missing, its error lists every path it tried; this module turns that into one
// message that names the platform and what to install.

import type * as Binding from '../binding.js'

/** The loader's name for this platform: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
function platformName(): string {
  const { platform, arch } = process
  if (platform === 'linux') return `${platform}-${arch}-${libc()}`
  if (platform === 'win32') return `${platform}-${arch}-msvc`
  return `${platform}-${arch}`
}

/** Linux's C library: glibc's version is in Node's diagnostic report, musl has none. */
function libc(): 'gnu' | 'musl' {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'
}

/** The package's name and the prebuilt platform packages it depends on (set at publish). */
function manifest(): { name: string; prebuilt: string[] } {
  try {
    const pkg = require('../package.json') as { name: string; optionalDependencies?: Record<string, string> }
    return { name: pkg.name, prebuilt: Object.keys(pkg.optionalDependencies ?? {}) }
  } catch {
    return { name: 'io-aio', prebuilt: [] }
  }
}

function unavailable(cause: unknown): Error {
  const name = platformName()
  const { name: pkg, prebuilt } = manifest()
  const platformPkg = `${pkg}-${name}`
  const libcNote = process.platform === 'linux' ? `, libc=${libc() === 'gnu' ? 'glibc' : 'musl'}` : ''
  const fromSource =
    `install Rust (https://rustup.rs) and run \`npm rebuild ${pkg}\` to build the addon from source ` +
    `(in a git checkout: \`npm run build\`).`
  const advice = prebuilt.includes(platformPkg)
    ? `Install the prebuilt package: \`npm install ${platformPkg}\` (npm installs it with ${pkg} unless ` +
      `optional dependencies are omitted or the lockfile was made without it), or ${fromSource}`
    : `No prebuilt addon is published for this platform: ${fromSource}`
  const err = new Error(
    `${pkg}: cannot load the native addon for ${name} ` +
      `(platform=${process.platform}, arch=${process.arch}${libcNote}). ${advice}`,
    { cause },
  )
  Object.defineProperty(err, 'code', { value: 'ERR_IO_AIO_NATIVE_UNAVAILABLE', enumerable: true })
  return err
}

function load(): typeof Binding {
  try {
    return require('../binding.js') as typeof Binding
  } catch (err) {
    throw unavailable(err)
  }
}

/** The addon's functions and classes (types generated into binding.d.ts). */
export const binding: typeof Binding = load()
