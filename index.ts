// io-aio: IO::AIO for Node.js. The public API, one module per request family; see
// README.md and the API reference in docs/api (generated from these sources: npm run docs).

export { constants } from './lib/constants.js'
export type { Constants, DirentType } from './lib/constants.js'
export { AbortError } from './lib/errors.js'
export type { ErrnoException } from './lib/errors.js'
export type { GroupLike, RequestOptions } from './lib/engine.js'
export type { PathLike } from './lib/paths.js'
export { BigIntStats, Stats } from './lib/stats.js'
export { Wd } from './lib/wd.js'
export { configure, flush, nreqs, nready, npending, nthreads } from './lib/pool.js'
export type { PoolOptions } from './lib/pool.js'
export {
  busy,
  close,
  lstat,
  mkdir,
  nop,
  open,
  read,
  readdir,
  rename,
  rmdir,
  seek,
  stat,
  unlink,
  write,
} from './lib/requests.js'
export type { MkdirOptions, NamesOptions, StatOptions } from './lib/requests.js'

// Request families, one module each.
export * from './lib/meta.js'
export * from './lib/names.js'
export * from './lib/mem.js'
export * from './lib/sync.js'
export * from './lib/group.js'
export * from './lib/composite.js'
export * from './lib/scan.js'
export * from './lib/stat-many.js'
