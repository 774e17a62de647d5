// The ES module entry of io-aio/promises: the CommonJS module's exports, so that `import`
// and `require` share one module instance (one addon, one request table). The names are
// node:fs/promises' (Node 20), plus the FileHandle and Dir classes.

import fsp from './index.js'

export type * from './index.js'
// The classes are types as well as values.
export type FileHandle = import('./index.js').FileHandle
export type Dir = import('./index.js').Dir

export const {
  access,
  appendFile,
  chmod,
  chown,
  constants,
  copyFile,
  cp,
  Dir,
  FileHandle,
  lchmod,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  mkdtemp,
  open,
  opendir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  statfs,
  symlink,
  truncate,
  unlink,
  utimes,
  watch,
  writeFile,
} = fsp

export default fsp
