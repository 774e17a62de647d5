// `constants`: the platform's values of every constant the IO::AIO manual names (0 where
// the platform lacks one), read from the C headers by the binding.

import { binding } from './native.js'

/**
 * A directory entry's type, as `readdirx` with `READDIR_DENTS`, `readdirIter` and `walk`
 * report it: `DT_UNKNOWN` (0, the filesystem does not say), `DT_FIFO` (1), `DT_CHR` (2),
 * `DT_DIR` (4), `DT_BLK` (6), `DT_REG` (8), `DT_LNK` (10), `DT_SOCK` (12), `DT_WHT` (14, a
 * BSD whiteout). The values are the same on every platform (IO::AIO's and the BSDs').
 *
 * @group Constants
 */
export type DirentType = 0 | 1 | 2 | 4 | 6 | 8 | 10 | 12 | 14

/**
 * Every constant of the IO::AIO manual, plus the `O_*`/`S_I*` names of Node's
 * `fs.constants`, with this platform's value (0 where the platform lacks one).
 *
 * @group Constants
 */
export interface Constants {
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_RDONLY: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_WRONLY: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_RDWR: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_CREAT: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_EXCL: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_NOCTTY: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_TRUNC: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_APPEND: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_DIRECTORY: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_NOATIME: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_NOFOLLOW: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_SYNC: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_DSYNC: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_DIRECT: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_NONBLOCK: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_CLOEXEC: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_PATH: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_TMPFILE: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_BINARY: number
  /** `open` flags (`O_BINARY`/`O_TEXT` are Windows-only: 0 elsewhere). */
  readonly O_TEXT: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFMT: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFREG: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFDIR: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFCHR: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFBLK: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFIFO: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFLNK: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFSOCK: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IRWXU: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IRUSR: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IWUSR: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IXUSR: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IRWXG: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IRGRP: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IWGRP: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IXGRP: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IRWXO: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IROTH: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IWOTH: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IXOTH: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_ISUID: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_ISGID: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_ISVTX: number
  /** File type and mode bits, as in `Stats.mode` (`S_IFWHT`: BSD whiteouts, 0 elsewhere). */
  readonly S_IFWHT: number
  /** `access` modes. */
  readonly F_OK: number
  /** `access` modes. */
  readonly R_OK: number
  /** `access` modes. */
  readonly W_OK: number
  /** `access` modes. */
  readonly X_OK: number
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_UNKNOWN: 0
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_FIFO: 1
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_CHR: 2
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_DIR: 4
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_BLK: 6
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_REG: 8
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_LNK: 10
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_SOCK: 12
  /** Directory entry types, as `readdirx` with `READDIR_DENTS` and `walk` report them (`DT_WHT`: BSD only). */
  readonly DT_WHT: 14
  /** `seek` whence values. */
  readonly SEEK_SET: number
  /** `seek` whence values. */
  readonly SEEK_CUR: number
  /** `seek` whence values. */
  readonly SEEK_END: number
  /** `seek` whence values. */
  readonly SEEK_DATA: number
  /** `seek` whence values. */
  readonly SEEK_HOLE: number
  /** `rename` flags: Linux's `renameat2`; darwin's `renameatx_np` (`RENAME_EXCL`, `RENAME_SWAP`); FreeBSD rejects flags with ENOSYS. */
  readonly RENAME_NOREPLACE: number
  /** `rename` flags: Linux's `renameat2`; darwin's `renameatx_np` (`RENAME_EXCL`, `RENAME_SWAP`); FreeBSD rejects flags with ENOSYS. */
  readonly RENAME_EXCHANGE: number
  /** `rename` flags: Linux's `renameat2`; darwin's `renameatx_np` (`RENAME_EXCL`, `RENAME_SWAP`); FreeBSD rejects flags with ENOSYS. */
  readonly RENAME_WHITEOUT: number
  /** `allocate` modes (Linux `fallocate`; Linux's values everywhere: FreeBSD takes mode 0 only, as `posix_fallocate`, and refuses these with ENOSYS; darwin refuses every mode). */
  readonly FALLOC_FL_KEEP_SIZE: number
  /** `allocate` modes (Linux `fallocate`; Linux's values everywhere: FreeBSD takes mode 0 only, as `posix_fallocate`, and refuses these with ENOSYS; darwin refuses every mode). */
  readonly FALLOC_FL_PUNCH_HOLE: number
  /** `allocate` modes (Linux `fallocate`; Linux's values everywhere: FreeBSD takes mode 0 only, as `posix_fallocate`, and refuses these with ENOSYS; darwin refuses every mode). */
  readonly FALLOC_FL_COLLAPSE_RANGE: number
  /** `allocate` modes (Linux `fallocate`; Linux's values everywhere: FreeBSD takes mode 0 only, as `posix_fallocate`, and refuses these with ENOSYS; darwin refuses every mode). */
  readonly FALLOC_FL_ZERO_RANGE: number
  /** `allocate` modes (Linux `fallocate`; Linux's values everywhere: FreeBSD takes mode 0 only, as `posix_fallocate`, and refuses these with ENOSYS; darwin refuses every mode). */
  readonly FALLOC_FL_INSERT_RANGE: number
  /** `allocate` modes (Linux `fallocate`; Linux's values everywhere: FreeBSD takes mode 0 only, as `posix_fallocate`, and refuses these with ENOSYS; darwin refuses every mode). */
  readonly FALLOC_FL_UNSHARE_RANGE: number
  /** `syncFileRange` flags. */
  readonly SYNC_FILE_RANGE_WAIT_BEFORE: number
  /** `syncFileRange` flags. */
  readonly SYNC_FILE_RANGE_WRITE: number
  /** `syncFileRange` flags. */
  readonly SYNC_FILE_RANGE_WAIT_AFTER: number
  /** `msync` flags. */
  readonly MS_ASYNC: number
  /** `msync` flags. */
  readonly MS_INVALIDATE: number
  /** `msync` flags. */
  readonly MS_SYNC: number
  /** `mtouch` flags: `MT_MODIFY` writes to each page instead of reading it. */
  readonly MT_MODIFY: number
  /** `mlockall` flags. */
  readonly MCL_CURRENT: number
  /** `mlockall` flags. */
  readonly MCL_FUTURE: number
  /** `mlockall` flags. */
  readonly MCL_ONFAULT: number
  /** `mmap`/`mprotect` protections. */
  readonly PROT_NONE: number
  /** `mmap`/`mprotect` protections. */
  readonly PROT_READ: number
  /** `mmap`/`mprotect` protections. */
  readonly PROT_WRITE: number
  /** `mmap`/`mprotect` protections. */
  readonly PROT_EXEC: number
  /** `mmap` flags. */
  readonly MAP_SHARED: number
  /** `mmap` flags. */
  readonly MAP_PRIVATE: number
  /** `mmap` flags. */
  readonly MAP_FIXED: number
  /** `mmap` flags. */
  readonly MAP_ANONYMOUS: number
  /** `mmap` flags. */
  readonly MAP_ANON: number
  /** `mmap` flags. */
  readonly MAP_32BIT: number
  /** `mmap` flags. */
  readonly MAP_GROWSDOWN: number
  /** `mmap` flags. */
  readonly MAP_HUGETLB: number
  /** `mmap` flags. */
  readonly MAP_LOCKED: number
  /** `mmap` flags. */
  readonly MAP_NONBLOCK: number
  /** `mmap` flags. */
  readonly MAP_NORESERVE: number
  /** `mmap` flags. */
  readonly MAP_POPULATE: number
  /** `mmap` flags. */
  readonly MAP_STACK: number
  /** `mmap` flags. */
  readonly MAP_HUGE_SHIFT: number
  /** `mmap` flags. */
  readonly MAP_HUGE_MASK: number
  /** `mmap` flags. */
  readonly MAP_FIXED_NOREPLACE: number
  /** `mmap` flags. */
  readonly MAP_SHARED_VALIDATE: number
  /** `mmap` flags. */
  readonly MAP_SYNC: number
  /** `mmap` flags. */
  readonly MAP_DROPPABLE: number
  /** `madvise` advice. */
  readonly MADV_NORMAL: number
  /** `madvise` advice. */
  readonly MADV_RANDOM: number
  /** `madvise` advice. */
  readonly MADV_SEQUENTIAL: number
  /** `madvise` advice. */
  readonly MADV_WILLNEED: number
  /** `madvise` advice. */
  readonly MADV_DONTNEED: number
  /** `madvise` advice. */
  readonly MADV_FREE: number
  /** `madvise` advice. */
  readonly MADV_REMOVE: number
  /** `madvise` advice. */
  readonly MADV_DONTFORK: number
  /** `madvise` advice. */
  readonly MADV_DOFORK: number
  /** `madvise` advice. */
  readonly MADV_MERGEABLE: number
  /** `madvise` advice. */
  readonly MADV_UNMERGEABLE: number
  /** `madvise` advice. */
  readonly MADV_HUGEPAGE: number
  /** `madvise` advice. */
  readonly MADV_NOHUGEPAGE: number
  /** `madvise` advice. */
  readonly MADV_DONTDUMP: number
  /** `madvise` advice. */
  readonly MADV_DODUMP: number
  /** `madvise` advice. */
  readonly MADV_WIPEONFORK: number
  /** `madvise` advice. */
  readonly MADV_KEEPONFORK: number
  /** `madvise` advice. */
  readonly MADV_COLD: number
  /** `madvise` advice. */
  readonly MADV_PAGEOUT: number
  /** `madvise` advice. */
  readonly MADV_HWPOISON: number
  /** `madvise` advice. */
  readonly MADV_POPULATE_READ: number
  /** `madvise` advice. */
  readonly MADV_POPULATE_WRITE: number
  /** `fadvise` advice, by its POSIX name. */
  readonly POSIX_FADV_NORMAL: number
  /** `fadvise` advice, by its POSIX name. */
  readonly POSIX_FADV_SEQUENTIAL: number
  /** `fadvise` advice, by its POSIX name. */
  readonly POSIX_FADV_RANDOM: number
  /** `fadvise` advice, by its POSIX name. */
  readonly POSIX_FADV_NOREUSE: number
  /** `fadvise` advice, by its POSIX name. */
  readonly POSIX_FADV_WILLNEED: number
  /** `fadvise` advice, by its POSIX name. */
  readonly POSIX_FADV_DONTNEED: number
  /** `fadvise` advice, by IO::AIO's name (the same values as `POSIX_FADV_*`). */
  readonly FADV_NORMAL: number
  /** `fadvise` advice, by IO::AIO's name (the same values as `POSIX_FADV_*`). */
  readonly FADV_SEQUENTIAL: number
  /** `fadvise` advice, by IO::AIO's name (the same values as `POSIX_FADV_*`). */
  readonly FADV_RANDOM: number
  /** `fadvise` advice, by IO::AIO's name (the same values as `POSIX_FADV_*`). */
  readonly FADV_NOREUSE: number
  /** `fadvise` advice, by IO::AIO's name (the same values as `POSIX_FADV_*`). */
  readonly FADV_WILLNEED: number
  /** `fadvise` advice, by IO::AIO's name (the same values as `POSIX_FADV_*`). */
  readonly FADV_DONTNEED: number
  /** `splice`/`tee` flags. */
  readonly SPLICE_F_MOVE: number
  /** `splice`/`tee` flags. */
  readonly SPLICE_F_NONBLOCK: number
  /** `splice`/`tee` flags. */
  readonly SPLICE_F_MORE: number
  /** `splice`/`tee` flags. */
  readonly SPLICE_F_GIFT: number
  /** `statvfs` `flag` bits. */
  readonly ST_RDONLY: number
  /** `statvfs` `flag` bits. */
  readonly ST_NOSUID: number
  /** `statvfs` `flag` bits. */
  readonly ST_NODEV: number
  /** `statvfs` `flag` bits. */
  readonly ST_NOEXEC: number
  /** `statvfs` `flag` bits. */
  readonly ST_SYNCHRONOUS: number
  /** `statvfs` `flag` bits. */
  readonly ST_MANDLOCK: number
  /** `statvfs` `flag` bits. */
  readonly ST_WRITE: number
  /** `statvfs` `flag` bits. */
  readonly ST_APPEND: number
  /** `statvfs` `flag` bits. */
  readonly ST_IMMUTABLE: number
  /** `statvfs` `flag` bits. */
  readonly ST_NOATIME: number
  /** `statvfs` `flag` bits. */
  readonly ST_NODIRATIME: number
  /** `statvfs` `flag` bits. */
  readonly ST_RELATIME: number
  /** `readdirx` flags (IO::AIO's own). */
  readonly READDIR_DENTS: 1
  /** `readdirx` flags (IO::AIO's own). */
  readonly READDIR_DIRS_FIRST: 2
  /** `readdirx` flags (IO::AIO's own). */
  readonly READDIR_STAT_ORDER: 4
  /** `readdirx` flags (IO::AIO's own). */
  readonly READDIR_FOUND_UNKNOWN: 0x80
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_FLAG_SYNC: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_FLAG_XATTR: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_FLAGS_COMPAT: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_LAST: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_UNKNOWN: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_DELALLOC: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_ENCODED: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_DATA_ENCRYPTED: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_NOT_ALIGNED: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_DATA_INLINE: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_DATA_TAIL: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_UNWRITTEN: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_MERGED: number
  /** `fiemap` request flags (`FIEMAP_FLAG_*`) and extent flags (`FIEMAP_EXTENT_*`). */
  readonly FIEMAP_EXTENT_SHARED: number
  /** Request priorities: `PRI_MIN` (-4) to `PRI_MAX` (4), default `PRI_DEFAULT` (0). */
  readonly PRI_MIN: -4
  /** Request priorities: `PRI_MIN` (-4) to `PRI_MAX` (4), default `PRI_DEFAULT` (0). */
  readonly PRI_MAX: 4
  /** Request priorities: `PRI_MIN` (-4) to `PRI_MAX` (4), default `PRI_DEFAULT` (0). */
  readonly PRI_DEFAULT: 0
  /** The page size: the unit of `mmap` offsets and of the memory calls. */
  readonly PAGESIZE: number
  /** `EBADR`: the errno `fiemap` fails with on unsupported flags. */
  readonly EBADR: number
}

/**
 * The platform's constants: see {@link Constants}.
 *
 * @group Constants
 */
export const constants: Readonly<Constants> = Object.freeze(
  Object.assign(Object.create(null), binding.constants()) as Constants,
)
