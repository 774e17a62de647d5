//! The wire: how a request's result travels from eio-core to JavaScript. This module and
//! `lib/wire.ts` are the only places that know the format; the drain (`drain.rs`) only
//! loops over completions and hands each to [`Batch::encode`].
//!
//! # The format
//!
//! Each environment has one [`WireBuffer`]: an `ArrayBuffer` of 8-byte slots that
//! JavaScript reads through a `Float64Array` and, for exact 64-bit integers, a
//! `BigInt64Array`/`BigUint64Array` over the same bytes. It is written here and read by
//! `lib/wire.ts` on the same thread, never at the same time.
//!
//! - Slots `[0, NOW_SLOTS)`: a result answered during the call that made the request
//!   (a cached stat, see `submit.rs`; the call returns [`ANSWERED_NOW`] instead of a slot
//!   number), read by JavaScript as soon as the call returns.
//! - Slots `[RECORDS_AT, DATA_AT)`: one [`RECORD`] per completion of the batch being
//!   delivered: `[slot, tag, a, b]`. `slot` names the request; the [`Tag`] says what the
//!   other two mean.
//! - Slots `[DATA_AT, ..)`: the batch's fixed-size data (a stat's fields, a statvfs's,
//!   an integer too large for a double), at most [`DATA_MAX`] slots per record, pointed
//!   to by its record's `a`.
//!
//! Values that are not numbers (strings, arrays, Buffers, typed arrays of any length) go
//! in the batch's `extras` array, pointed to by `b`.
//!
//! # Adding a result type
//!
//! 1. A variant of `eio_core::Value` (in `crates/eio-core/src/value.rs`) holding the
//!    result as plain Rust data: no JavaScript there.
//! 2. Here: a [`Tag`] and, in [`Batch::encode_value`], the arm that writes the record, its
//!    numbers in the data area (at most [`DATA_MAX`] slots; else a typed array in extras)
//!    and its JS values in extras. If the encoding depends on the caller's options (names
//!    as Buffers, bigints), that is a [`Delivery`], chosen when the request is made.
//! 3. In `lib/wire.ts`: the same tag number, and in `decode` the arm that builds the
//!    JavaScript value from the record. Then the request's function in `lib/` resolves
//!    with it as it is.

use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};

use eio_core::{DirList, FileStat, ReqError, StatFs, StatList, StatVfs, TreeBatch, Value};
use napi::sys::TypedarrayType;

use crate::raw::{Js, Ref, Scope};

/// Numbers per completion record: `[slot, tag, a, b]`.
pub const RECORD: usize = 4;
/// Most completions per batch (one JS call each).
pub const CHUNK: usize = 1024;
/// Slots of a stat: `dev, mode, nlink, uid, gid, rdev, blksize, ino, size, blocks`, then
/// `(seconds, nanoseconds)` of `atime, mtime, ctime, birthtime`.
pub const STAT_FIELDS: usize = 18;
/// Slots of a statvfs: `bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid,
/// flag, namemax`.
pub const STATVFS_FIELDS: usize = 11;
/// Slots of a statfs: `type, bsize, blocks, bfree, bavail, files, ffree`.
pub const STATFS_FIELDS: usize = 7;
/// The most data slots one record uses.
pub const DATA_MAX: usize = STAT_FIELDS;
/// Slots for a result answered during a call.
pub const NOW_SLOTS: usize = 32;
/// What a request function returns instead of a slot number when it answered during the
/// call: its result is in the slots for results answered now.
pub const ANSWERED_NOW: u32 = u32::MAX;
/// Where the records start, and where their data starts.
pub const RECORDS_AT: usize = NOW_SLOTS;
pub const DATA_AT: usize = RECORDS_AT + CHUNK * RECORD;
/// The buffer's size in slots: every batch fits.
pub const SLOTS: usize = DATA_AT + CHUNK * DATA_MAX;
/// Above this, integers go to JavaScript as bigints (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: i64 = (1 << 53) - 1;

/// What a record is, and so what `a` and `b` mean (`-` unused). Mirrored by `Tag` in
/// `lib/wire.ts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Tag {
    /// `undefined` (`Value::Unit`).
    Undefined = 0,
    /// A number: `a` (a count, an offset, an fd).
    Number = 1,
    /// A bigint: the `i64` at data slot `a`.
    BigInt = 2,
    /// `extras[b]`, as it is (a string, a Buffer, an array).
    Extra = 3,
    /// A `Stats`: the `f64` fields at data slot `a`.
    Stat = 4,
    /// A `BigIntStats`: the exact `i64` fields at data slot `a`.
    BigStat = 5,
    /// `{ entries, flags }` of readdirx: flags `a`, names `extras[b]`, and in
    /// `extras[b + 1]` a `Float64Array` of `[type, ino]` pairs if the caller asked for
    /// `READDIR_DENTS`, else `undefined`.
    Readdirx = 6,
    /// `{ dirs, nondirs }` of scandir: `extras[b]`, `extras[b + 1]`.
    Scandir = 7,
    /// A `Wd`: its handle `extras[b]`, its path `extras[b + 1]`.
    Wd = 8,
    /// A statvfs: the `u64` fields at data slot `a`.
    StatVfs = 9,
    /// fiemap's extents: `a` of them, `[logical, physical, length, flags]` each, in the
    /// `BigUint64Array` `extras[b]`.
    Extents = 10,
    /// A statfs: the `u64` fields at data slot `a`.
    StatFs = 11,
    /// `{ entries, bytes }` of a tree operation (copy, move, rmtree): `a` and `b`.
    Counts = 12,
    /// A batch of a directory scan (walk, readdirIter): `[hold, end]` at data slot `a`,
    /// and from `extras[b]`: the entries' names, each followed by a NUL, in one string (or
    /// `Buffer`); their `DT_*` types (a `Buffer`); their inodes (a `Float64Array`); the
    /// directories' paths below the root, as the names; `[depth, entries]` of each
    /// directory (a `Float64Array`); the entries' stats, `STAT_FIELDS` numbers each (a
    /// `Float64Array`, or undefined); the held entries' indexes (a `Float64Array`, or
    /// undefined); the errors, `[path (a Buffer), errno, syscall]` each (or undefined).
    TreeBatch = 13,
    /// The results of a stat of many paths (statMany): `a` paths; in `extras[b]` their
    /// fields, `STAT_FIELDS` per path in a `Float64Array` (or, with `Delivery::BigInt`, a
    /// `BigInt64Array`: exact integers), zeros for a path that failed; in `extras[b + 1]`
    /// each path's errno in an `Int32Array` (0: it succeeded), or `undefined` when none
    /// failed.
    StatList = 14,
    /// Failure: errno `a`; `extras[b]` (if `b >= 0`) names the failing syscall, or is
    /// `[syscall | undefined, subpath]` when the error names an entry below the path.
    Errno = 16,
    /// The request was aborted; its result, if any, was freed.
    Aborted = 17,
    /// The request panicked: `extras[b]` is the message.
    Panic = 18,
    /// The buffer to read into was detached while the request was in flight.
    Detached = 19,
    /// The result could not be turned into a JS value.
    Unconvertible = 20,
}

/// How a request wants its result, decided when it is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Plain,
    /// Names as `Buffer`s rather than strings (`encoding: 'buffer'`).
    Buffers,
    /// Exact integers: stats as `BigIntStats` (`{ bigint: true }`).
    BigInt,
    /// Bytes read go into the view that JavaScript holds for this request's slot in its
    /// read-target array (`readTargets` in lib/engine.ts), at `offset`; the value is the
    /// count. Holding the view there keeps it alive until the completion without a
    /// Node-API reference per read.
    ReadInto {
        offset: usize,
    },
}

/// The environment's wire buffer (see the module). Its bytes are written only on the JS
/// thread, while no JavaScript runs, and only while the `ArrayBuffer` is attached: should
/// anything detach it, a new one takes its place.
pub struct WireBuffer {
    /// The `Float64Array` over the whole buffer.
    view: Ref,
    /// Its bytes: `SLOTS` 8-byte slots, 8-byte aligned (V8 aligns backing stores).
    slots: *mut u64,
}

impl WireBuffer {
    pub fn new(js: Scope<'_>) -> napi::Result<WireBuffer> {
        let (buffer, bytes) = js.arraybuffer(SLOTS * 8)?;
        let view = js.typed_array(TypedarrayType::float64_array, buffer, SLOTS)?;
        Ok(WireBuffer { view: js.create_ref(view)?, slots: bytes.cast() })
    }

    /// The `Float64Array` JavaScript reads.
    pub fn view<'s>(&self, js: Scope<'s>) -> napi::Result<Js<'s>> {
        js.ref_value(&self.view)
    }

    /// The slots, for as long as no JavaScript runs; replaced first if detached.
    fn slots<'a>(&'a mut self, js: Scope<'_>) -> napi::Result<&'a mut [u64]> {
        let view = js.ref_value(&self.view)?;
        if js.view(view)?.detached {
            let fresh = WireBuffer::new(js)?;
            js.delete_ref(std::mem::replace(self, fresh).view);
        }
        // SAFETY: the buffer is alive (referenced by `view`) and attached (checked above),
        // and it has `SLOTS` slots, 8-byte aligned. The borrow of `self` ends before any
        // JavaScript can run: callers write and return.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.slots, SLOTS) })
    }

    /// Writes a stat answered during the current call at slot 0 (see the module).
    pub fn write_now(&mut self, js: Scope<'_>, st: &FileStat, delivery: Delivery) -> napi::Result<()> {
        let slots = self.slots(js)?;
        write_stat(&mut slots[..STAT_FIELDS], st, delivery == Delivery::BigInt);
        Ok(())
    }

    /// Frees the buffer's reference at the end of the environment.
    pub fn release(self, js: Scope<'_>) {
        js.delete_ref(self.view);
    }
}

/// The stat fields in slot order, as doubles or (`exact`) as the bits of `i64`s.
fn write_stat(out: &mut [u64], s: &FileStat, exact: bool) {
    let fields: [i64; STAT_FIELDS] = [
        s.dev as i64,
        i64::from(s.mode),
        s.nlink as i64,
        i64::from(s.uid),
        i64::from(s.gid),
        s.rdev as i64,
        s.blksize,
        s.ino as i64,
        s.size,
        s.blocks,
        s.atime.0,
        i64::from(s.atime.1),
        s.mtime.0,
        i64::from(s.mtime.1),
        s.ctime.0,
        i64::from(s.ctime.1),
        s.birthtime.0,
        i64::from(s.birthtime.1),
    ];
    for (slot, field) in out.iter_mut().zip(fields) {
        *slot = if exact { field as u64 } else { (field as f64).to_bits() };
    }
    if !exact {
        // dev and ino are unsigned: as doubles, their values, not those of the i64 bits.
        out[0] = (s.dev as f64).to_bits();
        out[7] = (s.ino as f64).to_bits();
    }
}

/// One batch being encoded into the wire buffer: at most [`CHUNK`] records.
pub struct Batch<'s, 'w> {
    js: Scope<'s>,
    slots: &'w mut [u64],
    records: usize,
    data: usize,
    extras: Option<Js<'s>>,
    nextras: u32,
    /// The JS array of read targets by slot, fetched for the first read of the batch.
    read_targets: Option<Js<'s>>,
    read_targets_ref: &'w Ref,
    /// fds sent as numbers: JavaScript owns them only once the batch was delivered, so
    /// until then they stay owned here, and close if it never is.
    fds: Vec<OwnedFd>,
}

impl<'s, 'w> Batch<'s, 'w> {
    /// A new batch in `buffer`; `read_targets` is the read-target array (see
    /// [`Delivery::ReadInto`]).
    pub fn new(js: Scope<'s>, buffer: &'w mut WireBuffer, read_targets: &'w Ref) -> napi::Result<Self> {
        Ok(Batch {
            js,
            slots: buffer.slots(js)?,
            records: 0,
            data: DATA_AT,
            extras: None,
            nextras: 0,
            read_targets: None,
            read_targets_ref: read_targets,
            fds: Vec::new(),
        })
    }

    pub fn len(&self) -> usize {
        self.records
    }

    pub fn is_full(&self) -> bool {
        self.records == CHUNK
    }

    /// The `extras` array for JavaScript (`undefined` if no record used it), and the fds
    /// that JavaScript will own once it has the batch (see [`Batch::delivered`]).
    pub fn finish(self) -> (Js<'s>, Vec<OwnedFd>) {
        (self.extras.unwrap_or_else(|| self.js.undefined()), self.fds)
    }

    /// Encodes the completion of the request in `slot`. `aborted`: it was cancelled, and
    /// its result is freed rather than delivered.
    pub fn encode(&mut self, slot: u32, delivery: Delivery, aborted: bool, outcome: Result<Value, ReqError>) {
        debug_assert!(!self.is_full(), "Batch::encode: full");
        if aborted {
            drop(outcome); // closes an fd that an aborted open returned, frees buffers
            return self.record(slot, Tag::Aborted, 0.0, -1.0);
        }
        let encoded = match outcome {
            Ok(value) => self.encode_value(slot, delivery, value),
            Err(e) => self.encode_error(slot, e),
        };
        if encoded.is_err() {
            // Node-API refused to build a value (out of memory, say): this request fails,
            // and the rest of the batch is still delivered.
            self.record(slot, Tag::Unconvertible, 0.0, -1.0);
        }
    }

    fn record(&mut self, slot: u32, tag: Tag, a: f64, b: f64) {
        let at = RECORDS_AT + self.records * RECORD;
        let rec = [f64::from(slot), f64::from(tag as u8), a, b];
        for (out, v) in self.slots[at..at + RECORD].iter_mut().zip(rec) {
            *out = v.to_bits();
        }
        self.records += 1;
    }

    /// `n` data slots for the next record, and the index of the first.
    fn data(&mut self, n: usize) -> (f64, &mut [u64]) {
        debug_assert!(n <= DATA_MAX, "Batch::data: {n} slots");
        let at = self.data;
        self.data += n;
        (at as f64, &mut self.slots[at..at + n])
    }

    /// Appends `value` to the extras; its index.
    fn extra(&mut self, value: Js<'s>) -> napi::Result<f64> {
        let extras = match self.extras {
            Some(extras) => extras,
            None => *self.extras.insert(self.js.array(0)?),
        };
        self.js.set_element(extras, self.nextras, value)?;
        self.nextras += 1;
        Ok(f64::from(self.nextras - 1))
    }

    /// Appends `values` to the extras; the index of the first.
    fn extras(&mut self, values: &[Js<'s>]) -> napi::Result<f64> {
        let first = f64::from(self.nextras);
        for &v in values {
            self.extra(v)?;
        }
        Ok(first)
    }

    fn encode_value(&mut self, slot: u32, delivery: Delivery, value: Value) -> napi::Result<()> {
        let js = self.js;
        let buffers = delivery == Delivery::Buffers;
        match value {
            Value::Unit => self.record(slot, Tag::Undefined, 0.0, -1.0),
            Value::Int(n) if (-MAX_SAFE..=MAX_SAFE).contains(&n) => {
                self.record(slot, Tag::Number, n as f64, -1.0)
            }
            Value::Int(n) => {
                let (at, data) = self.data(1);
                data[0] = n as u64;
                self.record(slot, Tag::BigInt, at, -1.0);
            }
            Value::Fd(fd) => {
                self.record(slot, Tag::Number, f64::from(fd.as_raw_fd()), -1.0);
                self.fds.push(fd);
            }
            Value::Stat(st) => {
                let exact = delivery == Delivery::BigInt;
                let (at, data) = self.data(STAT_FIELDS);
                write_stat(data, &st, exact);
                self.record(slot, if exact { Tag::BigStat } else { Tag::Stat }, at, -1.0);
            }
            Value::Stats(list) => {
                let b = self.stat_list(&list, delivery == Delivery::BigInt)?;
                self.record(slot, Tag::StatList, list.len() as f64, b);
            }
            Value::Bytes(bytes) => match delivery {
                Delivery::ReadInto { offset } => {
                    let targets = match self.read_targets {
                        Some(t) => t,
                        None => *self.read_targets.insert(js.ref_value(self.read_targets_ref)?),
                    };
                    // JavaScript set this slot's element when it made the read and clears it
                    // only once the completion is dispatched (after this).
                    let target = js.get_element(targets, slot)?;
                    if js.copy_into(target, offset, &bytes)? {
                        self.record(slot, Tag::Number, bytes.len() as f64, -1.0);
                    } else {
                        // Detached, or shrunk by a resizable buffer: nothing is written.
                        self.record(slot, Tag::Detached, 0.0, -1.0);
                    }
                    crate::bounce::give(bytes);
                }
                _ => {
                    let b = self.extra(js.buffer_copy(&bytes)?)?;
                    self.record(slot, Tag::Extra, 0.0, b);
                }
            },
            Value::Name(name) => {
                let b = self.extra(self.name(&name, buffers)?)?;
                self.record(slot, Tag::Extra, 0.0, b);
            }
            Value::Names(list) => {
                let b = self.extra(self.names(&list, buffers)?)?;
                self.record(slot, Tag::Extra, 0.0, b);
            }
            Value::Readdirx { list, flags, dents } => {
                let names = self.names(&list, buffers)?;
                let meta = if dents { self.float64_array(&type_ino_pairs(&list))? } else { js.undefined() };
                let b = self.extras(&[names, meta])?;
                self.record(slot, Tag::Readdirx, f64::from(flags), b);
            }
            Value::Scandir { dirs, nondirs } => {
                let (dirs, nondirs) = (self.names(&dirs, buffers)?, self.names(&nondirs, buffers)?);
                let b = self.extras(&[dirs, nondirs])?;
                self.record(slot, Tag::Scandir, 0.0, b);
            }
            Value::Wd { fd, path } => {
                let handle = js.to_js(crate::wd::WdHandle::new(fd))?;
                let b = self.extras(&[handle, js.string(&path)?])?;
                self.record(slot, Tag::Wd, 0.0, b);
            }
            Value::StatVfs(st) => {
                let (at, data) = self.data(STATVFS_FIELDS);
                data.copy_from_slice(&statvfs_fields(&st));
                self.record(slot, Tag::StatVfs, at, -1.0);
            }
            Value::StatFs(st) => {
                let (at, data) = self.data(STATFS_FIELDS);
                data.copy_from_slice(&statfs_fields(&st));
                self.record(slot, Tag::StatFs, at, -1.0);
            }
            Value::Extents(extents) => {
                let words: Vec<u64> = extents
                    .iter()
                    .flat_map(|e| [e.logical, e.physical, e.length, u64::from(e.flags)])
                    .collect();
                let b = self.extra(self.biguint64_array(&words)?)?;
                self.record(slot, Tag::Extents, extents.len() as f64, b);
            }
            Value::DirBatch { list, end } => {
                let b = self.extra(dir_batch(js, &list, end, buffers)?)?;
                self.record(slot, Tag::Extra, 0.0, b);
            }
            Value::Tree(tree) => {
                let (at, data) = self.data(2);
                data[0] = (tree.hold as f64).to_bits();
                data[1] = f64::from(u8::from(tree.end)).to_bits();
                let values = self.tree_batch(&tree, buffers)?;
                let b = self.extras(&values)?;
                self.record(slot, Tag::TreeBatch, at, b);
            }
            // Counts stay below 2^53 (entries and bytes of one tree), exact as doubles.
            Value::Counts { entries, bytes } => self.record(slot, Tag::Counts, entries as f64, bytes as f64),
        }
        Ok(())
    }

    fn encode_error(&mut self, slot: u32, error: ReqError) -> napi::Result<()> {
        let js = self.js;
        match error {
            ReqError::Os { errno, syscall, subpath } => {
                let b = match (syscall, subpath) {
                    (None, None) => -1.0,
                    (Some(name), None) => self.extra(js.string(name.as_bytes())?)?,
                    (name, Some(sub)) => {
                        let name = match name {
                            Some(name) => js.string(name.as_bytes())?,
                            None => js.undefined(),
                        };
                        let pair = js.array_of(&[name, js.buffer_copy(&sub)?])?;
                        self.extra(pair)?
                    }
                };
                self.record(slot, Tag::Errno, f64::from(errno.raw()), b);
            }
            ReqError::Panic(msg) => {
                let b = self.extra(js.string(msg.as_bytes())?)?;
                self.record(slot, Tag::Panic, 0.0, b);
            }
        }
        Ok(())
    }

    /// A name as a string, or (`buffers`) a `Buffer`.
    fn name(&self, bytes: &[u8], buffers: bool) -> napi::Result<Js<'s>> {
        if buffers {
            self.js.buffer_copy(bytes)
        } else {
            self.js.string(bytes)
        }
    }

    /// A JS array of the entries' names.
    fn names(&self, list: &DirList, buffers: bool) -> napi::Result<Js<'s>> {
        let arr = self.js.array(list.len())?;
        for (i, name) in list.names().enumerate() {
            self.js.set_element(arr, i as u32, self.name(name, buffers)?)?;
        }
        Ok(arr)
    }

    /// The extras of a [`Tag::TreeBatch`]: names and directory paths each followed by a
    /// NUL in one string or Buffer (one value for lib/scan.ts to cut, far cheaper than one
    /// per name), the numbers in typed arrays.
    fn tree_batch(&self, tree: &TreeBatch, buffers: bool) -> napi::Result<[Js<'s>; 8]> {
        let js = self.js;
        let joined = |names: &mut dyn Iterator<Item = &[u8]>| {
            let mut out = Vec::new();
            for name in names {
                out.extend_from_slice(name);
                out.push(0);
            }
            out
        };
        let list = &tree.entries;
        let inos: Vec<f64> = list.inos.iter().map(|&ino| ino as f64).collect();
        let dir_info: Vec<f64> =
            tree.dirs.iter().flat_map(|d| [f64::from(d.depth), f64::from(d.entries)]).collect();
        let stats = if tree.stats.is_empty() {
            js.undefined()
        } else {
            let mut words = vec![0u64; tree.stats.len() * STAT_FIELDS];
            for (out, st) in words.chunks_exact_mut(STAT_FIELDS).zip(&tree.stats) {
                write_stat(out, st, false);
            }
            self.typed_array(TypedarrayType::float64_array, &words)?
        };
        let held = if tree.held.is_empty() {
            js.undefined()
        } else {
            self.float64_array(&tree.held.iter().map(|&i| f64::from(i)).collect::<Vec<_>>())?
        };
        let errors = if tree.errors.is_empty() {
            js.undefined()
        } else {
            let errors = js.array(tree.errors.len())?;
            for (i, e) in tree.errors.iter().enumerate() {
                let error = js.array_of(&[
                    js.buffer_copy(&e.path)?,
                    js.number(f64::from(e.errno.raw()))?,
                    js.string(e.syscall.as_bytes())?,
                ])?;
                js.set_element(errors, i as u32, error)?;
            }
            errors
        };
        Ok([
            self.name(&joined(&mut list.names()), buffers)?,
            js.buffer_copy(&list.types)?,
            self.float64_array(&inos)?,
            self.name(&joined(&mut tree.dirs.iter().map(|d| d.path.as_slice())), buffers)?,
            self.float64_array(&dir_info)?,
            stats,
            held,
            errors,
        ])
    }

    /// The extras of a [`Tag::StatList`]: the fields written straight into the typed
    /// array's memory (no copy in between: 100k paths are 14 MB), the errnos if any failed.
    fn stat_list(&mut self, list: &StatList, exact: bool) -> napi::Result<f64> {
        let js = self.js;
        let len = list.len() * STAT_FIELDS;
        let (buffer, bytes) = js.arraybuffer(len * 8)?;
        let mut errnos: Option<Vec<i32>> = None;
        if len > 0 {
            // SAFETY: the new ArrayBuffer has `8 * len` writable bytes at `bytes`, 8-byte
            // aligned (V8 aligns backing stores), which nothing else references yet; the
            // slice ends before any JavaScript runs.
            let fields = unsafe { std::slice::from_raw_parts_mut(bytes.cast::<u64>(), len) };
            for (i, (result, out)) in list.iter().zip(fields.chunks_exact_mut(STAT_FIELDS)).enumerate() {
                match result {
                    Ok(st) => write_stat(out, st, exact),
                    Err(e) => {
                        out.fill(0);
                        errnos.get_or_insert_with(|| vec![0; list.len()])[i] = e.raw();
                    }
                }
            }
        }
        let ty = if exact { TypedarrayType::bigint64_array } else { TypedarrayType::float64_array };
        let fields = js.typed_array(ty, buffer, len)?;
        let errnos = match errnos {
            Some(errnos) => {
                let (buffer, bytes) = js.arraybuffer(errnos.len() * 4)?;
                // SAFETY: the new ArrayBuffer has `4 * errnos.len()` writable bytes at
                // `bytes` (not empty: some path failed), which nothing else references.
                unsafe {
                    std::ptr::copy_nonoverlapping(errnos.as_ptr().cast::<u8>(), bytes, errnos.len() * 4)
                };
                js.typed_array(TypedarrayType::int32_array, buffer, errnos.len())?
            }
            None => js.undefined(),
        };
        self.extras(&[fields, errnos])
    }

    /// A `Float64Array` holding a copy of `values`.
    fn float64_array(&self, values: &[f64]) -> napi::Result<Js<'s>> {
        float64_array(self.js, values)
    }

    /// A `BigUint64Array` holding a copy of `values`.
    fn biguint64_array(&self, values: &[u64]) -> napi::Result<Js<'s>> {
        self.typed_array(TypedarrayType::biguint64_array, values)
    }

    fn typed_array(&self, ty: napi::sys::napi_typedarray_type, words: &[u64]) -> napi::Result<Js<'s>> {
        typed_array(self.js, ty, words)
    }
}

/// readdirIter's batch: `[names, Float64Array [type, ino, ...], end]`, the names each
/// followed by a NUL in one string or Buffer (one value for JavaScript to split, far cheaper
/// than one per name). Also returned directly by the synchronous read of `Dir.readSync()`.
pub fn dir_batch<'s>(js: Scope<'s>, list: &DirList, end: bool, buffers: bool) -> napi::Result<Js<'s>> {
    let mut names = Vec::new();
    for name in list.names() {
        names.extend_from_slice(name);
        names.push(0);
    }
    let names = if buffers { js.buffer_copy(&names)? } else { js.string(&names)? };
    js.array_of(&[names, float64_array(js, &type_ino_pairs(list))?, js.boolean(end)?])
}

/// A `Float64Array` holding a copy of `values`.
fn float64_array<'s>(js: Scope<'s>, values: &[f64]) -> napi::Result<Js<'s>> {
    let bits: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
    typed_array(js, TypedarrayType::float64_array, &bits)
}

fn typed_array<'s>(
    js: Scope<'s>,
    ty: napi::sys::napi_typedarray_type,
    words: &[u64],
) -> napi::Result<Js<'s>> {
    let (buffer, bytes) = js.arraybuffer(words.len() * 8)?;
    if !words.is_empty() {
        // SAFETY: the new ArrayBuffer has `8 * words.len()` writable bytes at `bytes`,
        // which nothing else references yet.
        unsafe { std::ptr::copy_nonoverlapping(words.as_ptr().cast::<u8>(), bytes, words.len() * 8) };
    }
    js.typed_array(ty, buffer, words.len())
}

/// Hands the batch's fds to JavaScript, which got the batch: they are its now.
pub fn delivered(fds: Vec<OwnedFd>) {
    for fd in fds {
        let _ = fd.into_raw_fd();
    }
}

/// `[type, ino]` of each entry, one after the other.
fn type_ino_pairs(list: &DirList) -> Vec<f64> {
    list.types.iter().zip(&list.inos).flat_map(|(&kind, &ino)| [f64::from(kind), ino as f64]).collect()
}

fn statfs_fields(st: &StatFs) -> [u64; STATFS_FIELDS] {
    [st.fs_type, st.bsize, st.blocks, st.bfree, st.bavail, st.files, st.ffree]
}

fn statvfs_fields(st: &StatVfs) -> [u64; STATVFS_FIELDS] {
    [
        st.bsize, st.frsize, st.blocks, st.bfree, st.bavail, st.files, st.ffree, st.favail, st.fsid, st.flag,
        st.namemax,
    ]
}
