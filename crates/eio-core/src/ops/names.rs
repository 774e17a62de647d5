//! Requests on names and directories: mknod, link, symlink, readlink, realpath, wd, readdirx.

use std::ffi::CString;

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::sys::{dir, link};
use crate::value::{DirList, Outcome, Value};

/// `readdirx` flags (IO::AIO's `READDIR_*`, libeio's values).
pub mod readdir_flags {
    /// Entries carry their type and inode (always set in the flags returned).
    pub const DENTS: u32 = 0x01;
    /// Directories first, in a good order for stat'ing (see [`super::order`]).
    pub const DIRS_FIRST: u32 = 0x02;
    /// Ascending inode: the order that stats a whole directory fastest.
    pub const STAT_ORDER: u32 = 0x04;
    /// Returned: some entry's type was `DT_UNKNOWN` (the filesystem does not report it).
    pub const FOUND_UNKNOWN: u32 = 0x80;
}
use readdir_flags::*;

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum NamesOp {
    /// `aio_mknod`: `mode` carries the `S_IF*` type; `dev` is for device nodes.
    Mknod { at: At, mode: u32, dev: u64 },
    /// `aio_link`: a hard link `to` of `from`.
    Link { from: At, to: At },
    /// `aio_symlink`: the symlink `at` with contents `target`, kept verbatim.
    Symlink { target: CString, at: At },
    /// `aio_readlink`: a symlink's contents, as a name.
    Readlink { at: At },
    /// `aio_realpath`: the canonical absolute path, as a name.
    Realpath { at: At },
    /// `aio_wd`: a working directory, opened `O_PATH|O_DIRECTORY`, with its canonical path.
    Wd { at: At },
    /// `aio_readdirx`: a directory's entries, ordered per `flags` (see [`order`]).
    Readdirx { at: At, flags: u32 },
}

impl NamesOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        let value = match self {
            NamesOp::Mknod { at, mode, dev } => link::mknod(&at, mode, dev).map(|_| Value::Unit)?,
            NamesOp::Link { from, to } => link::link(&from, &to).map(|_| Value::Unit)?,
            NamesOp::Symlink { target, at } => link::symlink(&target, &at).map(|_| Value::Unit)?,
            NamesOp::Readlink { at } => Value::Name(link::readlink(&at)?),
            NamesOp::Realpath { at } => Value::Name(link::realpath(&at)?),
            NamesOp::Wd { at } => {
                // One lookup: the fd and its path name the same directory even if the path
                // changes meanwhile (IO::AIO resolves the path first, then opens it).
                let fd = link::open_path(&at, true)?;
                let path = match link::fd_path(&fd) {
                    // Deeper than PATH_MAX (reached by `[wd, relative]` steps): climbed.
                    Err(Errno(libc::ENAMETOOLONG)) => dir::long_path(&fd, &link::fd_path)?,
                    path => path?,
                };
                Value::Wd { fd, path }
            }
            NamesOp::Readdirx { at, flags } => {
                let fd = dir::open_dir(&at)?;
                let list = dir::read_all(&fd, &|| ctx.aborted())?;
                readdirx_result(list, flags)
            }
        };
        Ok(value)
    }
}

/// The entries in the requested order and the flags IO::AIO returns: the requested ones
/// plus `DENTS`, plus `FOUND_UNKNOWN` if a type was unknown. `FOUND_UNKNOWN` in the
/// request is ignored: it is an answer.
fn readdirx_result(list: DirList, flags: u32) -> Value {
    let flags = flags & !FOUND_UNKNOWN;
    let found_unknown = list.types.contains(&libc::DT_UNKNOWN);
    let list = match order(&list, flags, found_unknown) {
        Some(permutation) => list.permuted(&permutation),
        None => list,
    };
    let out_flags = flags | DENTS | if found_unknown { FOUND_UNKNOWN } else { 0 };
    Value::Readdirx { list, flags: out_flags, dents: flags & DENTS != 0 }
}

/// How likely an entry is a directory, 0 (it is) to 7 (it is not), as libeio guesses it
/// for `DIRS_FIRST` when the filesystem does not report types: a leading dot is likely a
/// directory, and so is a short name without a dot.
fn score(name: &[u8], kind: u8) -> u8 {
    match kind {
        libc::DT_DIR => 0,
        libc::DT_UNKNOWN if name.first() == Some(&b'.') => 1,
        libc::DT_UNKNOWN if !name.contains(&b'.') => match name.len() {
            1 => 2,
            2..=3 => 4,
            4..=6 => 5,
            _ => 6,
        },
        _ => 7,
    }
}

/// The order of `readdirx` as a permutation of the kernel's order, or `None` for the
/// kernel's order itself. As libeio (and IO::AIO 4.80, checked):
/// - `STAT_ORDER` alone: ascending inode;
/// - `STAT_ORDER | DIRS_FIRST`: by ([`score`], inode): the directories (and, where the
///   filesystem reports no types, the likely ones) first, each class by inode;
/// - `DIRS_FIRST`, every type known: the directories by inode, then the rest as read;
/// - `DIRS_FIRST` with unknown types: by ([`score`], inode);
/// - neither: as read.
///
/// Sorts are stable, so equal keys (hard links) keep the kernel's order.
pub fn order(list: &DirList, flags: u32, found_unknown: bool) -> Option<Vec<usize>> {
    let mut idx: Vec<usize> = (0..list.len()).collect();
    if flags & STAT_ORDER != 0 && flags & DIRS_FIRST != 0 {
        idx.sort_by_key(|&i| (score(list.name(i), list.types[i]), list.inos[i]));
    } else if flags & STAT_ORDER != 0 {
        idx.sort_by_key(|&i| list.inos[i]);
    } else if flags & DIRS_FIRST != 0 && found_unknown {
        idx.sort_by_key(|&i| (score(list.name(i), list.types[i]), list.inos[i]));
    } else if flags & DIRS_FIRST != 0 {
        let (mut dirs, rest): (Vec<usize>, Vec<usize>) =
            idx.into_iter().partition(|&i| list.types[i] == libc::DT_DIR);
        dirs.sort_by_key(|&i| list.inos[i]);
        dirs.extend(rest);
        idx = dirs;
    } else {
        return None;
    }
    Some(idx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use libc::{DT_DIR as D, DT_LNK as L, DT_REG as R, DT_UNKNOWN as U};

    fn list(entries: &[(&str, u8, u64)]) -> DirList {
        let mut l = DirList::default();
        for &(name, kind, ino) in entries {
            l.push(name.as_bytes(), kind, ino);
        }
        l
    }

    fn names(l: &DirList, perm: Option<Vec<usize>>) -> Vec<String> {
        let l = match perm {
            Some(p) => l.permuted(&p),
            None => l.clone(),
        };
        l.names().map(|n| String::from_utf8(n.to_vec()).unwrap()).collect()
    }

    #[test]
    fn scores_follow_libeio() {
        let cases: &[(&str, u8, u8)] = &[
            ("anything.txt", D, 0), // a known directory
            (".hidden", U, 1),      // a leading dot: likely a directory
            (".hidden", R, 7),      // only unknown types are guessed
            ("a", U, 2),            // short names without a dot: likely directories
            ("ab", U, 4),
            ("abc", U, 4),
            ("abcd", U, 5),
            ("abcdef", U, 5),
            ("abcdefg", U, 6),
            ("a.b", U, 7), // a dot inside: likely a file
            ("a", R, 7),
            ("a", L, 7),
        ];
        for &(name, kind, want) in cases {
            assert_eq!(score(name.as_bytes(), kind), want, "score({name:?}, {kind})");
        }
    }

    #[test]
    fn orders_follow_libeio() {
        let known = list(&[("f1", R, 5), ("d1", D, 9), ("l1", L, 1), ("d2", D, 3), ("f2", R, 2)]);
        let unknown = list(&[
            ("file.txt", U, 1),
            ("longname", U, 2),
            ("d", D, 8),
            (".git", U, 7),
            ("ab", U, 3),
            ("x", U, 4),
        ]);
        let cases: &[(&DirList, u32, &[&str])] = &[
            // No ordering flag: as the kernel returned them.
            (&known, 0, &["f1", "d1", "l1", "d2", "f2"]),
            (&known, DENTS, &["f1", "d1", "l1", "d2", "f2"]),
            // STAT_ORDER: by inode.
            (&known, STAT_ORDER, &["l1", "f2", "d2", "f1", "d1"]),
            (&unknown, STAT_ORDER, &["file.txt", "longname", "ab", "x", ".git", "d"]),
            // STAT_ORDER | DIRS_FIRST: by (score, inode), directories first.
            (&known, STAT_ORDER | DIRS_FIRST, &["d2", "d1", "l1", "f2", "f1"]),
            (&unknown, STAT_ORDER | DIRS_FIRST, &["d", ".git", "x", "ab", "longname", "file.txt"]),
            // DIRS_FIRST, all known: directories by inode, then the rest as read.
            (&known, DIRS_FIRST, &["d2", "d1", "f1", "l1", "f2"]),
            // DIRS_FIRST with unknowns: by (score, inode).
            (&unknown, DIRS_FIRST, &["d", ".git", "x", "ab", "longname", "file.txt"]),
        ];
        for &(l, flags, want) in cases {
            let found_unknown = l.types.contains(&U);
            assert_eq!(names(l, order(l, flags, found_unknown)), want, "flags {flags:#x}");
        }
    }

    #[test]
    fn returned_flags_add_dents_and_found_unknown() {
        let flags_of = |value: Value| match value {
            Value::Readdirx { flags, .. } => flags,
            other => panic!("not a readdirx result: {other:?}"),
        };
        let known = list(&[("a", R, 1)]);
        let unknown = list(&[("a", U, 1)]);
        let cases: &[(&DirList, u32, u32)] = &[
            (&known, 0, 1),
            (&known, 2, 3),
            (&known, 6, 7),
            (&unknown, 0, 0x81),
            (&unknown, 2, 0x83),
            // FOUND_UNKNOWN asked for is not an answer.
            (&known, 0x80, 1),
        ];
        for &(l, flags, want) in cases {
            assert_eq!(flags_of(readdirx_result(l.clone(), flags)), want, "flags {flags:#x}");
        }
    }
}
