// `constants`: every constant the IO::AIO manual names, with the platform's values.

import test from 'ava'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'

import { constants } from '../index.js'
import { have } from './helpers.mjs'

/** Every constant the IO::AIO manual (IO-AIO.3) names. */
const MANUAL = `
  O_RDONLY O_WRONLY O_RDWR O_CREAT O_TRUNC O_EXCL O_APPEND O_CLOEXEC O_DIRECT O_NONBLOCK O_BINARY
  S_IFMT S_IFIFO S_IFCHR S_IFBLK S_IFLNK S_IFREG S_IFDIR S_IFWHT S_IFSOCK
  DT_UNKNOWN DT_FIFO DT_CHR DT_DIR DT_BLK DT_REG DT_LNK DT_SOCK DT_WHT
  READDIR_DENTS READDIR_DIRS_FIRST READDIR_STAT_ORDER READDIR_FOUND_UNKNOWN
  SEEK_SET SEEK_CUR SEEK_END SEEK_DATA SEEK_HOLE
  FALLOC_FL_KEEP_SIZE FALLOC_FL_PUNCH_HOLE FALLOC_FL_COLLAPSE_RANGE FALLOC_FL_ZERO_RANGE
  FIEMAP_FLAG_SYNC FIEMAP_FLAG_XATTR FIEMAP_FLAGS_COMPAT FIEMAP_EXTENT_LAST
  SYNC_FILE_RANGE_WAIT_BEFORE SYNC_FILE_RANGE_WRITE SYNC_FILE_RANGE_WAIT_AFTER
  MS_ASYNC MS_INVALIDATE MS_SYNC MT_MODIFY MCL_CURRENT MCL_FUTURE
  PROT_NONE PROT_READ PROT_WRITE PROT_EXEC
  MAP_SHARED MAP_PRIVATE MAP_ANONYMOUS MAP_ANON MAP_HUGETLB MAP_LOCKED MAP_NORESERVE
  MAP_POPULATE MAP_NONBLOCK MAP_FIXED MAP_GROWSDOWN MAP_32BIT MAP_STACK
  MADV_NORMAL MADV_SEQUENTIAL MADV_RANDOM MADV_WILLNEED MADV_DONTNEED
  FADV_NORMAL FADV_SEQUENTIAL FADV_RANDOM FADV_NOREUSE FADV_WILLNEED FADV_DONTNEED
  SPLICE_F_MOVE SPLICE_F_NONBLOCK SPLICE_F_MORE SPLICE_F_GIFT
  ST_RDONLY ST_NOSUID ST_NODEV ST_NOEXEC ST_SYNCHRONOUS ST_MANDLOCK ST_WRITE ST_APPEND
  ST_IMMUTABLE ST_NOATIME ST_NODIRATIME ST_RELATIME
  RENAME_NOREPLACE RENAME_EXCHANGE RENAME_WHITEOUT
  PRI_MIN PRI_MAX PRI_DEFAULT EBADR PAGESIZE
`.split(/\s+/).filter(Boolean)

/** The families API.md lists: each must have members. */
const FAMILIES = [
  'O_', 'S_IF', 'DT_', 'READDIR_', 'FALLOC_FL_', 'FIEMAP_', 'SYNC_FILE_RANGE_', 'MS_', 'MCL_', 'PROT_',
  'MAP_', 'MADV_', 'FADV_', 'SPLICE_F_', 'ST_', 'SEEK_', 'RENAME_',
]

/** Values fixed by the Linux ABI on x86-64 and aarch64 (eio's targets). */
const LINUX = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_TRUNC: 0o1000, O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000, O_CLOEXEC: 0o2000000, O_NOFOLLOW: 0o400000, O_DIRECTORY: 0o200000,
  S_IFMT: 0o170000, S_IFDIR: 0o40000, S_IFREG: 0o100000, S_IFLNK: 0o120000, S_IFIFO: 0o10000, S_IFWHT: 0,
  DT_UNKNOWN: 0, DT_FIFO: 1, DT_CHR: 2, DT_DIR: 4, DT_BLK: 6, DT_REG: 8, DT_LNK: 10, DT_SOCK: 12, DT_WHT: 14,
  READDIR_DENTS: 1, READDIR_DIRS_FIRST: 2, READDIR_STAT_ORDER: 4, READDIR_FOUND_UNKNOWN: 0x80,
  SEEK_SET: 0, SEEK_CUR: 1, SEEK_END: 2, SEEK_DATA: 3, SEEK_HOLE: 4,
  FALLOC_FL_KEEP_SIZE: 1, FALLOC_FL_PUNCH_HOLE: 2, FALLOC_FL_COLLAPSE_RANGE: 8, FALLOC_FL_ZERO_RANGE: 0x10,
  FIEMAP_FLAG_SYNC: 1, FIEMAP_FLAG_XATTR: 2, FIEMAP_FLAGS_COMPAT: 3, FIEMAP_EXTENT_LAST: 1,
  SYNC_FILE_RANGE_WAIT_BEFORE: 1, SYNC_FILE_RANGE_WRITE: 2, SYNC_FILE_RANGE_WAIT_AFTER: 4,
  MS_ASYNC: 1, MS_INVALIDATE: 2, MS_SYNC: 4, MT_MODIFY: 1, MCL_CURRENT: 1, MCL_FUTURE: 2, MCL_ONFAULT: 4,
  PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4,
  MAP_SHARED: 1, MAP_PRIVATE: 2, MAP_FIXED: 0x10, MAP_ANONYMOUS: 0x20, MAP_ANON: 0x20, MAP_HUGETLB: 0x40000,
  MAP_POPULATE: 0x8000, MAP_NONBLOCK: 0x10000,
  MADV_NORMAL: 0, MADV_RANDOM: 1, MADV_SEQUENTIAL: 2, MADV_WILLNEED: 3, MADV_DONTNEED: 4, MADV_FREE: 8,
  MADV_POPULATE_READ: 22, MADV_POPULATE_WRITE: 23,
  FADV_NORMAL: 0, FADV_RANDOM: 1, FADV_SEQUENTIAL: 2, FADV_WILLNEED: 3, FADV_DONTNEED: 4, FADV_NOREUSE: 5,
  SPLICE_F_MOVE: 1, SPLICE_F_NONBLOCK: 2, SPLICE_F_MORE: 4, SPLICE_F_GIFT: 8,
  ST_RDONLY: 1, ST_NOSUID: 2, ST_NODEV: 4, ST_NOEXEC: 8, ST_SYNCHRONOUS: 16, ST_RELATIME: 4096,
  RENAME_NOREPLACE: 1, RENAME_EXCHANGE: 2, RENAME_WHITEOUT: 4,
  PRI_MIN: -4, PRI_MAX: 4, PRI_DEFAULT: 0, EBADR: 53,
}

test('every constant the manual names is there, as an integer', (t) => {
  const missing = MANUAL.filter((name) => !(name in constants))
  t.deepEqual(missing, [])
  for (const [name, value] of Object.entries(constants)) t.true(Number.isSafeInteger(value), name)
  for (const prefix of FAMILIES) {
    t.true(Object.keys(constants).some((name) => name.startsWith(prefix)), prefix)
  }
})

test('values equal node:fs constants where both have the name', (t) => {
  const shared = Object.keys(fs.constants).filter((name) => name in constants)
  t.true(shared.length >= 30)
  for (const name of shared) t.is(constants[name], fs.constants[name], name)
})

test('values are the Linux ones', (t) => {
  if (process.platform !== 'linux') return t.pass('Linux values')
  for (const [name, value] of Object.entries(LINUX)) t.is(constants[name], value, name)
})

test('PAGESIZE is the system page size', (t) => {
  if (!have('getconf')) return t.pass('no getconf')
  t.is(constants.PAGESIZE, Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' })))
})

test('constants is frozen and has no prototype', (t) => {
  t.true(Object.isFrozen(constants))
  t.is(Object.getPrototypeOf(constants), null)
  t.throws(() => {
    'use strict'
    constants.O_RDONLY = 1
  }, { instanceOf: TypeError })
})
