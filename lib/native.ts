// The one place that loads the native addon, from the first of:
// 1. the addon `NAPI_RS_NATIVE_LIBRARY_PATH` names (tests load the portable build so);
// 2. io-aio-source's build, when that package is installed: whoever installs it wants
//    the addon built from source (README "Install");
// 3. what the generated loader (../binding.js) finds: a local build next to it
//    (io-aio.<platform>.node: `npm run build` in a checkout), then the prebuilt platform
//    package (io-aio-<platform>).
// When none loads, the loader's error (every path it tried) becomes the cause of one error
// that names the platform and what to install. The addon needs Node-API 9 (Node.js 20.3):
// an older Node.js is told so, not that no addon exists.

import type * as Binding from '../binding.js'

/** The Node-API version the addon is built for (napi-rs's `napi9` feature). */
const NAPI_VERSION = 9
const ERR_CODE = 'ERR_IO_AIO_NATIVE_UNAVAILABLE'

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

function unavailableError(message: string, cause?: unknown): Error {
  const err = new Error(message, { cause })
  Object.defineProperty(err, 'code', { value: ERR_CODE, enumerable: true })
  return err
}

function unavailable(cause: unknown): Error {
  const name = platformName()
  const { name: pkg, prebuilt } = manifest()
  const platformPkg = `${pkg}-${name}`
  const libcNote = process.platform === 'linux' ? `, libc=${libc() === 'gnu' ? 'glibc' : 'musl'}` : ''
  const fromSource =
    `to build it from source, install Rust (https://rustup.rs) and \`npm install ${pkg}-source\` ` +
    `(the same version as ${pkg}; in a git checkout: \`npm run build\`).`
  const advice = prebuilt.includes(platformPkg)
    ? `Install the prebuilt package: \`npm install ${platformPkg}\` (npm installs it with ${pkg} unless ` +
      `optional dependencies are omitted or the lockfile was made without it); or, ${fromSource}`
    : `No prebuilt addon is published for this platform: ${fromSource}`
  return unavailableError(
    `${pkg}: cannot load the native addon for ${name} ` +
      `(platform=${process.platform}, arch=${process.arch}${libcNote}). ${advice}`,
    cause,
  )
}

/** io-aio-source's build of the addon, if that package is installed and built. */
function sourceBuild(): string | undefined {
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) return undefined
  try {
    return require.resolve('io-aio-source')
  } catch {
    return undefined
  }
}

function load(): typeof Binding {
  const napi = Number(process.versions.napi)
  if (!(napi >= NAPI_VERSION)) {
    throw unavailableError(
      `${manifest().name}: the native addon needs Node-API ${NAPI_VERSION} (Node.js 20.3 or newer); ` +
        `this is Node.js ${process.version} with Node-API ${process.versions.napi}. Upgrade Node.js.`,
    )
  }
  try {
    return require(sourceBuild() ?? '../binding.js') as typeof Binding
  } catch (err) {
    throw unavailable(err)
  }
}

/** The addon's functions and classes (types generated into binding.d.ts). */
export const binding: typeof Binding = load()
