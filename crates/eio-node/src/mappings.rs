//! The memory mappings eio's `mmap` made, shown to JavaScript as `Buffer`s, and how the
//! memory functions find out whether a view's bytes are such a mapping.
//!
//! # Ownership
//!
//! Each [`Mapping`] is an `Arc` with two kinds of holders:
//!
//! - **JavaScript's share** sits in [`REGISTRY`], keyed by the mapping's address. It is
//!   dropped by `munmap()` (after the `Buffer`'s `ArrayBuffer` has been detached, so that no
//!   JavaScript view can reach the memory any more) or by the external buffer's finalizer
//!   when the `Buffer` is collected, whichever comes first; the finalizer carries the
//!   entry's id, so a finalizer arriving after `munmap` (or after the address was reused by a
//!   newer mapping) finds nothing of its own and does nothing.
//! - **A request's share** ([`eio_core::ops::mem::MemRange`]) keeps the pages mapped while a
//!   worker thread acts on them, even if JavaScript unmapped them meanwhile.
//!
//! The last holder to let go unmaps (`Mapping`'s `Drop`).
//!
//! # Recognising a mapping
//!
//! A live registry entry covering `[addr, addr + len)` proves that those bytes belong to
//! that mapping: while it is mapped, no other allocation can occupy its addresses. So a view
//! is looked up by address alone, which also works for sub-views of a mapped `Buffer`.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use eio_core::ops::mem::MemRange;
use eio_core::sys::mem::Mapping;
use napi::sys;

use crate::raw::{check, Js, Scope, View};

/// JavaScript's share of each live mapping, by address. Process-wide: addresses are.
static REGISTRY: Mutex<BTreeMap<usize, Entry>> = Mutex::new(BTreeMap::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

struct Entry {
    /// Tells this entry from a later mapping at the same address.
    id: u64,
    map: Arc<Mapping>,
}

fn registry() -> MutexGuard<'static, BTreeMap<usize, Entry>> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// The eio mapping whose pages hold `[addr, addr + len)`, if any.
pub fn find(addr: usize, len: usize) -> Option<Arc<Mapping>> {
    let reg = registry();
    let (_, entry) = reg.range(..=addr).next_back()?;
    entry.map.contains(addr, len).then(|| entry.map.clone())
}

/// Drops JavaScript's share of the mapping that starts at `addr`.
fn forget(addr: usize) -> Option<Arc<Mapping>> {
    registry().remove(&addr).map(|e| e.map)
}

/// A new `Buffer` over `map`, owning JavaScript's share of it.
pub fn into_buffer<'s>(js: Scope<'s>, map: Mapping) -> napi::Result<Js<'s>> {
    let (addr, len) = (map.addr(), map.len());
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    registry().insert(addr, Entry { id, map: Arc::new(map) });
    let mut buffer = ptr::null_mut();
    // SAFETY: on the env's JS thread (`js`). The `len` bytes at `addr` stay mapped at least
    // until `release` runs for this `id`, which Node-API calls once the buffer's memory is no
    // longer reachable.
    let status = unsafe {
        sys::napi_create_external_buffer(
            js.env(),
            len,
            addr as *mut c_void,
            Some(release),
            id as usize as *mut c_void,
            &mut buffer,
        )
    };
    if let Err(e) = check(status, "napi_create_external_buffer") {
        forget(addr);
        return Err(e);
    }
    Ok(js.adopt_new(buffer))
}

/// The finalizer of a mapped `Buffer`: drops JavaScript's share, unless `munmap` did.
unsafe extern "C" fn release(_env: sys::napi_env, data: *mut c_void, hint: *mut c_void) {
    let (addr, id) = (data as usize, hint as usize as u64);
    let mut reg = registry();
    if reg.get(&addr).is_some_and(|e| e.id == id) {
        let entry = reg.remove(&addr);
        drop(reg);
        drop(entry); // may unmap: outside the lock
    }
}

/// `[offset, offset + length)` of the typed array or `DataView` `buf` as a [`MemRange`]:
/// holding the eio mapping the bytes lie in (so that nobody can unmap them while the
/// range lives), bare if they are not an eio mapping's.
pub fn range(env: &napi::Env, buf: &napi::Unknown<'_>, offset: f64, length: f64) -> napi::Result<MemRange> {
    let js = Scope::of_call(env);
    let view = js.view(js.arg(buf))?;
    let (offset, len) = (offset as usize, length as usize);
    if view.detached {
        return Err(napi::Error::from_reason("eio: the buffer is detached"));
    }
    if offset.checked_add(len).is_none_or(|end| end > view.len) {
        return Err(napi::Error::from_reason("eio: range outside the buffer"));
    }
    let addr = view.addr + offset;
    Ok(match find(addr, len) {
        Some(map) => {
            let at = addr - map.addr();
            MemRange::in_mapping(map, at, len).expect("find: the mapping holds the range")
        }
        None => MemRange::foreign(addr, len),
    })
}

/// What [`unmap`] did.
pub enum Unmapped {
    /// The view was already detached (unmapped before, or transferred): nothing to do.
    AlreadyDetached,
    /// The view is not a `Buffer` that eio's `mmap` returned.
    NotAMapping,
    /// Detached, and JavaScript's share dropped.
    Done,
}

/// `munmap()`: detaches the `ArrayBuffer` behind `view`, so that no JavaScript view can
/// reach the memory any more, then drops JavaScript's share of the mapping.
pub fn unmap(js: Scope<'_>, view: &View<'_>) -> napi::Result<Unmapped> {
    if view.detached {
        return Ok(Unmapped::AlreadyDetached);
    }
    // A SharedArrayBuffer (Node-API answers only for plain ArrayBuffers): mmap never
    // returns one, so it is not a mapping, as any other foreign buffer.
    let Some((addr, len)) = js.arraybuffer_bytes(view.arraybuffer)? else {
        return Ok(Unmapped::NotAMapping);
    };
    // The whole ArrayBuffer must be the mapping, else detaching it would take more than
    // the mapping away (or not all of it).
    match find(addr, len) {
        Some(map) if map.addr() == addr && map.len() == len => {}
        _ => return Ok(Unmapped::NotAMapping),
    }
    js.detach(view.arraybuffer)?;
    drop(forget(addr)); // unmaps now, unless a request still holds the mapping
    Ok(Unmapped::Done)
}
