//! Bindings of the `eio_core::ops::composite` requests.

use std::sync::{Arc, Mutex};

use eio_core::ops::composite::{
    CompositeOp, CopyFilter, CopyOptions, FilterQuery, Replace, RmtreeOptions, Tally,
};
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::args::path_at;
use crate::submit::submit;
use crate::wd::WdHandle;
use crate::wire::Delivery;

fn composite(env: &Env, priority: i32, op: CompositeOp, delivery: Delivery) -> Result<u32> {
    submit(env, priority, Op::Composite(op), delivery)
}

/// The whole file as a `Buffer`.
#[napi]
pub fn load(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    composite(&env, priority, CompositeOp::Load { at }, Delivery::Plain)
}

/// How `copy` and `move` treat their arguments (validated by lib/composite.ts).
#[napi(object)]
pub struct CopyFlags {
    pub recursive: bool,
    pub overwrite: bool,
    pub error_on_exist: bool,
    pub dereference: bool,
}

impl CopyFlags {
    fn replace(&self) -> Replace {
        Replace { overwrite: self.overwrite, error_on_exist: self.error_on_exist }
    }
}

/// `{ entries, bytes }` copied. `filter(dir, names, reply)`, if given, is called on the JS
/// thread with each directory's entries (the root first, as `('', [''])`) and answers
/// through `reply`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn copy(
    env: Env,
    priority: i32,
    src_dir: Option<&WdHandle>,
    src: Unknown<'_>,
    dst_dir: Option<&WdHandle>,
    dst: Unknown<'_>,
    flags: CopyFlags,
    #[napi(ts_arg_type = "((dir: Buffer, names: Buffer[], reply: FilterReply) => void) | undefined | null")]
    filter: Option<FilterFn<'_>>,
    progress: Option<&TallyHandle>,
) -> Result<u32> {
    let (src, dst) = (path_at(&env, src_dir, src)?, path_at(&env, dst_dir, dst)?);
    let filter = match filter {
        Some(f) => Some(Arc::new(JsFilter::new(&f)?) as Arc<dyn CopyFilter>),
        None => None,
    };
    let opts = CopyOptions {
        recursive: flags.recursive,
        replace: flags.replace(),
        dereference: flags.dereference,
        filter,
    };
    let op = CompositeOp::Copy { src, dst, opts, tally: tally_of(progress) };
    composite(&env, priority, op, Delivery::Plain)
}

/// `{ entries, bytes }` moved.
#[napi(js_name = "move")]
#[allow(clippy::too_many_arguments)]
pub fn move_(
    env: Env,
    priority: i32,
    src_dir: Option<&WdHandle>,
    src: Unknown<'_>,
    dst_dir: Option<&WdHandle>,
    dst: Unknown<'_>,
    overwrite: bool,
    progress: Option<&TallyHandle>,
) -> Result<u32> {
    let (src, dst) = (path_at(&env, src_dir, src)?, path_at(&env, dst_dir, dst)?);
    let replace = Replace { overwrite, error_on_exist: true };
    let op = CompositeOp::Move { src, dst, replace, tally: tally_of(progress) };
    composite(&env, priority, op, Delivery::Plain)
}

/// `mkdir -p`: the first directory created, or undefined.
#[napi]
pub fn mkdirp(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>, mode: u32) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    composite(&env, priority, CompositeOp::Mkdirp { at, mode }, Delivery::Plain)
}

/// `(dir, names, reply)`: a directory below the roots, its entries' names, and where the
/// answer goes.
type FilterArgs = FnArgs<(Buffer, Vec<Buffer>, FilterReply)>;
type FilterFn<'a> = Function<'a, FilterArgs, ()>;

/// The JS filter of one `copy`: each query goes to the JS thread through a threadsafe
/// function, which does not keep the event loop alive (the request does while it runs).
struct JsFilter {
    call: ThreadsafeFunction<FilterQuery, (), FilterArgs, Status, false, true>,
}

impl JsFilter {
    fn new(f: &FilterFn<'_>) -> Result<JsFilter> {
        let call = f
            .build_threadsafe_function::<FilterQuery>()
            .callee_handled::<false>()
            .weak::<true>()
            .build_callback(|cx| {
                let FilterQuery { ref dir, ref names, .. } = cx.value;
                let dir = Buffer::from(dir.as_slice());
                let names = names.iter().map(|n| Buffer::from(n.as_slice())).collect();
                Ok(FnArgs::from((dir, names, FilterReply { query: Mutex::new(Some(cx.value)) })))
            })?;
        Ok(JsFilter { call })
    }
}

impl CopyFilter for JsFilter {
    fn ask(&self, query: FilterQuery) {
        // If the environment is going away, the query is dropped, which stops the copy.
        let _ = self.call.call(query, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// The answer to one filter query, given once from JavaScript.
#[napi]
pub struct FilterReply {
    query: Mutex<Option<FilterQuery>>,
}

#[napi]
impl FilterReply {
    /// Keeps the entries whose flag is true; the copy goes on.
    #[napi]
    pub fn answer(&self, keep: Vec<bool>) {
        if let Some(query) = self.take() {
            query.answer(keep);
        }
    }

    /// The filter failed: the copy stops.
    #[napi]
    pub fn fail(&self) {
        if let Some(query) = self.take() {
            query.fail();
        }
    }

    fn take(&self) -> Option<FilterQuery> {
        self.query.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// `{ dirs, nondirs }`, names as strings or (`buffers`) as `Buffer`s.
#[napi]
pub fn scandir(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    maxreq: u32,
    buffers: bool,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    let op = CompositeOp::Scandir { at, maxreq };
    composite(&env, priority, op, super::names_delivery(buffers))
}

/// The counts of a tree operation in flight (`copy`, `move`, `rmtree`), which the
/// request's tasks update and JavaScript reads on a timer for `onProgress`: no call into
/// JavaScript per entry.
#[napi]
pub struct TallyHandle {
    tally: Arc<Tally>,
}

#[napi]
impl TallyHandle {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)] // a JS class: constructed from JavaScript only
    pub fn new() -> TallyHandle {
        TallyHandle { tally: Arc::default() }
    }

    /// `[entries, bytes]` as they are now.
    #[napi]
    pub fn read(&self) -> Vec<f64> {
        let (entries, bytes) = self.tally.read();
        vec![entries as f64, bytes as f64]
    }
}

/// The counters a tree operation updates: the handle's, so that JavaScript can watch them,
/// or its own.
fn tally_of(handle: Option<&TallyHandle>) -> Arc<Tally> {
    handle.map_or_else(Arc::default, |h| Arc::clone(&h.tally))
}

/// `{ entries, bytes }` removed.
#[napi]
pub fn rmtree(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    force: bool,
    cross_mounts: bool,
    progress: Option<&TallyHandle>,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    let op =
        CompositeOp::Rmtree { at, opts: RmtreeOptions { force, cross_mounts }, tally: tally_of(progress) };
    composite(&env, priority, op, Delivery::Plain)
}
