//! The raw Node-API calls the binding makes beyond napi-rs's conversions, behind one small
//! safe layer.
//!
//! A [`Scope`] is the evidence every Node-API call needs: the code holding it runs on its
//! environment's JS thread, inside a handle scope that stays open for the scope's
//! lifetime `'s`. Values made or read through it are [`Js<'s>`], so they cannot outlive
//! that handle scope. With that evidence the helpers below are safe to call; the unsafe
//! code is here, once per Node-API call, and where a scope is first assumed (the raw
//! callbacks Node calls: see [`Scope::assume`]).

use std::ffi::{c_void, CStr};
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, Unknown};
use napi::{sys, Env, JsValue};

/// Turns a Node-API status into a `napi::Result`.
pub fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!("eio: Node-API call {what} failed ({status})")))
    }
}

/// The JS thread of one environment, inside a handle scope open for `'s` (see the module).
/// Neither `Send` nor `Sync`: it stays on the thread it was made on.
#[derive(Clone, Copy)]
pub struct Scope<'s> {
    env: sys::napi_env,
    _handles: PhantomData<&'s ()>,
    _js_thread: PhantomData<*mut ()>,
}

/// A JS value that lives as long as the handle scope `'s`.
#[derive(Clone, Copy)]
pub struct Js<'s> {
    raw: sys::napi_value,
    _handles: PhantomData<&'s ()>,
}

impl Js<'_> {
    pub fn raw(self) -> sys::napi_value {
        self.raw
    }
}

/// Where a typed array's or `DataView`'s bytes are, without making a Rust reference to
/// them (they may be unreadable, e.g. a `PROT_NONE` mapping).
pub struct View<'s> {
    pub addr: usize,
    pub len: usize,
    pub arraybuffer: Js<'s>,
    pub detached: bool,
}

/// A strong reference to a JS value of one environment, kept across calls until
/// [`Scope::delete_ref`] consumes it.
pub struct Ref {
    env: sys::napi_env,
    raw: sys::napi_ref,
}

impl<'s> Scope<'s> {
    /// The scope of a `#[napi]` function's call. napi-rs hands such a function the `Env`
    /// of the current call on its JS thread (Node-API forbids keeping an `Env` for later
    /// calls or other threads, and `Env` is neither `Send` nor `Sync`), and the call's
    /// handle scope stays open until the function returns, which the borrow of `env`
    /// cannot outlive.
    pub fn of_call(env: &'s Env) -> Scope<'s> {
        Scope { env: env.raw(), _handles: PhantomData, _js_thread: PhantomData }
    }

    /// # Safety
    /// `env` must be a live environment, the caller on its JS thread, inside a handle scope
    /// (a call, or a callback that Node opened one for) that stays open for `'s`.
    pub unsafe fn assume(env: sys::napi_env) -> Scope<'s> {
        Scope { env, _handles: PhantomData, _js_thread: PhantomData }
    }

    pub fn env(self) -> sys::napi_env {
        self.env
    }

    /// Runs `f` inside a new handle scope (closed when `f` returns, whatever it returns),
    /// so that the values `f` makes are released then: for loops that make many.
    pub fn nested<R>(self, f: impl for<'i> FnOnce(Scope<'i>) -> napi::Result<R>) -> napi::Result<R> {
        let mut handles = ptr::null_mut();
        // SAFETY: on the env's JS thread (a `Scope` exists).
        check(unsafe { sys::napi_open_handle_scope(self.env, &mut handles) }, "napi_open_handle_scope")?;
        // Every path from here closes the scope: Node aborts the process if a callback
        // returns with a handle scope of its own still open.
        let result = f(Scope { env: self.env, _handles: PhantomData, _js_thread: PhantomData });
        // SAFETY: the scope opened above, on the same thread, with nothing opened since that
        // is still open (`f` could only open nested scopes the same way, closed in turn).
        unsafe { sys::napi_close_handle_scope(self.env, handles) };
        result
    }

    /// A value napi-rs converted for the current call.
    pub fn arg(self, value: &Unknown<'_>) -> Js<'s> {
        self.wrap(value.raw())
    }

    /// A napi-rs value handed back to JavaScript as the result of a call.
    pub fn unknown(self, value: Js<'s>) -> Unknown<'s> {
        // SAFETY: a live value of this env's current handle scope.
        unsafe { Unknown::from_raw_unchecked(self.env, value.raw) }
    }

    /// A Rust value converted by napi-rs (a `#[napi]` class instance, say).
    pub fn to_js<T: ToNapiValue>(self, value: T) -> napi::Result<Js<'s>> {
        // SAFETY: on the env's JS thread inside a handle scope (a `Scope` exists).
        let raw = unsafe { T::to_napi_value(self.env, value)? };
        Ok(self.wrap(raw))
    }

    fn wrap(self, raw: sys::napi_value) -> Js<'s> {
        Js { raw, _handles: PhantomData }
    }

    /// The arguments of a raw callback (up to `N`; missing ones are `undefined`) and how
    /// many were passed.
    ///
    /// # Safety
    /// `info` must be the callback info of the callback this scope is in.
    pub unsafe fn callback_args<const N: usize>(
        self,
        info: sys::napi_callback_info,
    ) -> napi::Result<([Js<'s>; N], usize)> {
        let mut argc = N;
        let mut argv = [ptr::null_mut(); N];
        // SAFETY: `argv` has room for `argc` values; `info` is live (the caller's promise).
        let status = unsafe {
            sys::napi_get_cb_info(
                self.env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        check(status, "napi_get_cb_info")?;
        Ok((argv.map(|raw| self.wrap(raw)), argc))
    }

    /// A JS function calling `cb` (a raw callback, which creates its own scope with
    /// [`Scope::assume`]).
    pub fn function(self, name: &CStr, cb: sys::napi_callback) -> napi::Result<Js<'s>> {
        let mut f = ptr::null_mut();
        let len = name.to_bytes().len() as isize;
        // SAFETY: a valid C string of `len` bytes and a callback that takes no data.
        let status =
            unsafe { sys::napi_create_function(self.env, name.as_ptr(), len, cb, ptr::null_mut(), &mut f) };
        check(status, "napi_create_function")?;
        Ok(self.wrap(f))
    }

    /// Calls `f` with `args` and `this` undefined; an exception it throws is left pending.
    pub fn call(self, f: Js<'s>, args: &[Js<'s>]) -> napi::Result<Js<'s>> {
        let argv: Vec<sys::napi_value> = args.iter().map(|a| a.raw).collect();
        let mut result = ptr::null_mut();
        // SAFETY: live values of this scope; `argv` holds `argv.len()` of them.
        let status = unsafe {
            sys::napi_call_function(
                self.env,
                self.undefined().raw,
                f.raw,
                argv.len(),
                argv.as_ptr(),
                &mut result,
            )
        };
        check(status, "napi_call_function")?;
        Ok(self.wrap(result))
    }

    /// Throws a JS `Error` with `message` (returned to JavaScript when the callback returns).
    pub fn throw_error(self, message: &str) {
        let msg = std::ffi::CString::new(message).unwrap_or_default();
        // SAFETY: a valid C string; a pending exception is allowed in a callback.
        unsafe { sys::napi_throw_error(self.env, ptr::null(), msg.as_ptr()) };
    }

    /// `napi_typeof`.
    pub fn type_of(self, value: Js<'s>) -> napi::Result<sys::napi_valuetype> {
        let mut ty = 0;
        // SAFETY: a live value of this scope.
        check(unsafe { sys::napi_typeof(self.env, value.raw, &mut ty) }, "napi_typeof")?;
        Ok(ty)
    }

    /// The bytes of a path argument: a string (as UTF-8) or a `Uint8Array`/`Buffer`.
    pub fn path_bytes(self, value: Js<'s>) -> napi::Result<Vec<u8>> {
        if self.type_of(value)? == sys::ValueType::napi_string {
            self.string_bytes(value)
        } else {
            Ok(self.with_bytes(value, |bytes| bytes.to_vec())?.unwrap_or_default())
        }
    }

    /// A JS string's UTF-8 bytes: read in one call when they fit a buffer of the stack
    /// (paths almost always do), else measured first.
    pub fn string_bytes(self, value: Js<'s>) -> napi::Result<Vec<u8>> {
        // Not zeroed: Node-API writes what is read of it (zeroing 1 KiB cost a tenth of
        // the whole native submission of a stat).
        let mut stack = [MaybeUninit::<u8>::uninit(); 1024];
        let mut written = 0;
        // SAFETY: a live value; `stack` has room for `stack.len()` bytes, the terminating
        // NUL included, which Node-API writes.
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                value.raw,
                stack.as_mut_ptr().cast(),
                stack.len(),
                &mut written,
            )
        };
        check(status, "napi_get_value_string_utf8")?;
        // Filled to the last byte, the string may have been cut: measure it.
        if written + 1 < stack.len() {
            // SAFETY: Node-API wrote `written` bytes (and a NUL) at the start of `stack`.
            let read = unsafe { std::slice::from_raw_parts(stack.as_ptr().cast::<u8>(), written) };
            // Room for the NUL a CString adds, so that making one does not reallocate.
            let mut bytes = Vec::with_capacity(written + 1);
            bytes.extend_from_slice(read);
            return Ok(bytes);
        }
        let mut len = 0;
        // SAFETY: a live value; a null buffer asks for the length only.
        let status =
            unsafe { sys::napi_get_value_string_utf8(self.env, value.raw, ptr::null_mut(), 0, &mut len) };
        check(status, "napi_get_value_string_utf8")?;
        let mut buf = vec![0u8; len + 1];
        // SAFETY: `buf` has room for `len` bytes and the terminating NUL Node-API writes.
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                value.raw,
                buf.as_mut_ptr().cast(),
                len + 1,
                &mut written,
            )
        };
        check(status, "napi_get_value_string_utf8")?;
        buf.truncate(written);
        Ok(buf)
    }

    /// Where the bytes of a typed array or `DataView` are.
    pub fn view(self, value: Js<'s>) -> napi::Result<View<'s>> {
        let (mut data, mut len, mut arraybuffer) = (ptr::null_mut::<c_void>(), 0usize, ptr::null_mut());
        let mut is_typed = false;
        // SAFETY: a live value of this scope.
        check(unsafe { sys::napi_is_typedarray(self.env, value.raw, &mut is_typed) }, "napi_is_typedarray")?;
        if is_typed {
            let (mut ty, mut offset) = (0, 0);
            // SAFETY: `value` is a typed array; all out-pointers are valid.
            let status = unsafe {
                sys::napi_get_typedarray_info(
                    self.env,
                    value.raw,
                    &mut ty,
                    &mut len,
                    &mut data,
                    &mut arraybuffer,
                    &mut offset,
                )
            };
            check(status, "napi_get_typedarray_info")?;
            len *= element_size(ty);
        } else {
            let mut offset = 0;
            // SAFETY: a value that is not a DataView fails with a status.
            let status = unsafe {
                sys::napi_get_dataview_info(
                    self.env,
                    value.raw,
                    &mut len,
                    &mut data,
                    &mut arraybuffer,
                    &mut offset,
                )
            };
            check(status, "napi_get_dataview_info")?;
        }
        let mut detached = false;
        // SAFETY: `arraybuffer` is the live buffer behind `value`.
        let status = unsafe { sys::napi_is_detached_arraybuffer(self.env, arraybuffer, &mut detached) };
        check(status, "napi_is_detached_arraybuffer")?;
        let len = if detached { 0 } else { len };
        Ok(View { addr: data as usize, len, arraybuffer: self.wrap(arraybuffer), detached })
    }

    /// Runs `f` on the bytes viewed by a typed array or `DataView`; `None` if its buffer was
    /// detached. `f` must not run JavaScript (it has no scope to do so with).
    pub fn with_bytes<R>(self, value: Js<'s>, f: impl FnOnce(&mut [u8]) -> R) -> napi::Result<Option<R>> {
        let view = self.view(value)?;
        if view.detached {
            return Ok(None);
        }
        if view.len == 0 || view.addr == 0 {
            return Ok(Some(f(&mut [])));
        }
        // SAFETY: Node-API reported `len` bytes at `addr`, owned by a buffer that is not
        // detached; no JavaScript runs while `f` has them, so nothing can detach or read them.
        Ok(Some(f(unsafe { std::slice::from_raw_parts_mut(view.addr as *mut u8, view.len) })))
    }

    /// Copies `bytes` into the typed array or `DataView` `target` at `offset`; false, writing
    /// nothing, when the target was detached or is too short (a resizable buffer shrank).
    pub fn copy_into(self, target: Js<'s>, offset: usize, bytes: &[u8]) -> napi::Result<bool> {
        if !bytes.is_empty() {
            // One call where the general one takes three (and a backing-store lookup): a
            // detached view reports length 0 and a shrunk one its current length, so a range
            // that fits means attached and large enough.
            let (mut data, mut len) = (ptr::null_mut(), 0usize);
            // SAFETY: a live value; the out-pointers are valid.
            let status = unsafe { sys::napi_get_buffer_info(self.env, target.raw, &mut data, &mut len) };
            if status == sys::Status::napi_ok {
                let fits = !data.is_null() && offset.checked_add(bytes.len()).is_some_and(|end| end <= len);
                if fits {
                    // SAFETY: Node-API reported `len` bytes at `data`, owned by an attached
                    // buffer; the range lies inside; no JavaScript runs during the copy.
                    unsafe {
                        ptr::copy_nonoverlapping(bytes.as_ptr(), data.cast::<u8>().add(offset), bytes.len())
                    };
                }
                return Ok(fits);
            }
        }
        // A copy of nothing, or a view that Node-API does not take as a buffer: the general
        // path, which tells a detached buffer from an empty one.
        let copied = self.with_bytes(target, |view| match view.get_mut(offset..offset + bytes.len()) {
            Some(dest) => {
                dest.copy_from_slice(bytes);
                true
            }
            None => false,
        })?;
        Ok(copied == Some(true))
    }

    /// Runs `f` on `len` bytes at `offset` of the buffer `target` if they lie inside it and it
    /// is attached (see [`Scope::copy_into`]); `None` otherwise. `f` must not run JavaScript.
    pub fn with_buffer_range<R>(
        self,
        target: Js<'s>,
        offset: usize,
        len: usize,
        f: impl FnOnce(&mut [u8]) -> R,
    ) -> Option<R> {
        let (mut data, mut size) = (ptr::null_mut(), 0usize);
        // SAFETY: a live value; one that is not a view fails with a status.
        let status = unsafe { sys::napi_get_buffer_info(self.env, target.raw, &mut data, &mut size) };
        if status != sys::Status::napi_ok
            || data.is_null()
            || offset.checked_add(len).is_none_or(|end| end > size)
        {
            return None;
        }
        // SAFETY: the range lies inside an attached buffer (checked above), and no
        // JavaScript runs while `f` has it.
        Some(f(unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>().add(offset), len) }))
    }

    /// A new `ArrayBuffer` of `len` bytes (zeroed) and where its bytes are. They stay there
    /// as long as the buffer is alive and not detached.
    pub fn arraybuffer(self, len: usize) -> napi::Result<(Js<'s>, *mut u8)> {
        let (mut ab, mut data) = (ptr::null_mut(), ptr::null_mut::<c_void>());
        // SAFETY: valid out-pointers.
        let status = unsafe { sys::napi_create_arraybuffer(self.env, len, &mut data, &mut ab) };
        check(status, "napi_create_arraybuffer")?;
        Ok((self.wrap(ab), data.cast()))
    }

    /// A typed array of `len` elements of type `ty` over `arraybuffer` from its start.
    pub fn typed_array(
        self,
        ty: sys::napi_typedarray_type,
        arraybuffer: Js<'s>,
        len: usize,
    ) -> napi::Result<Js<'s>> {
        let mut v = ptr::null_mut();
        // SAFETY: `arraybuffer` is a live ArrayBuffer of this scope; Node-API checks the length.
        let status = unsafe { sys::napi_create_typedarray(self.env, ty, len, arraybuffer.raw, 0, &mut v) };
        check(status, "napi_create_typedarray")?;
        Ok(self.wrap(v))
    }

    /// Where the bytes of an `ArrayBuffer` are, and how many; `None` for a
    /// `SharedArrayBuffer` (Node-API answers only for plain ones).
    pub fn arraybuffer_bytes(self, arraybuffer: Js<'s>) -> napi::Result<Option<(usize, usize)>> {
        let (mut data, mut len) = (ptr::null_mut::<c_void>(), 0usize);
        // SAFETY: a live value of this scope; valid out-pointers.
        let status =
            unsafe { sys::napi_get_arraybuffer_info(self.env, arraybuffer.raw, &mut data, &mut len) };
        if status == sys::Status::napi_invalid_arg {
            return Ok(None);
        }
        check(status, "napi_get_arraybuffer_info")?;
        Ok(Some((data as usize, len)))
    }

    /// Detaches an `ArrayBuffer`: no JavaScript view reaches its bytes any more.
    pub fn detach(self, arraybuffer: Js<'s>) -> napi::Result<()> {
        // SAFETY: a live value of this scope; a buffer that cannot be detached fails.
        check(unsafe { sys::napi_detach_arraybuffer(self.env, arraybuffer.raw) }, "napi_detach_arraybuffer")
    }

    /// A value that a Node-API call of this scope just returned.
    pub fn adopt_new(self, raw: sys::napi_value) -> Js<'s> {
        self.wrap(raw)
    }

    /// A strong reference that keeps `value` alive across calls until [`Scope::delete_ref`].
    pub fn create_ref(self, value: Js<'s>) -> napi::Result<Ref> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live value of this scope.
        let status = unsafe { sys::napi_create_reference(self.env, value.raw, 1, &mut raw) };
        check(status, "napi_create_reference")?;
        Ok(Ref { env: self.env, raw })
    }

    /// The value `r` keeps alive.
    pub fn ref_value(self, r: &Ref) -> napi::Result<Js<'s>> {
        if r.env != self.env {
            return Err(napi::Error::from_reason("eio: a reference used in another environment"));
        }
        let mut v = ptr::null_mut();
        // SAFETY: `r` is a live reference of this env: only `delete_ref` ends it, consuming it.
        check(unsafe { sys::napi_get_reference_value(self.env, r.raw, &mut v) }, "napi_get_reference_value")?;
        Ok(self.wrap(v))
    }

    /// Deletes a reference (of this env: one of another is left alone).
    pub fn delete_ref(self, r: Ref) {
        if r.env == self.env {
            // SAFETY: a live reference of this env, consumed here. Failure can only mean a
            // dying env.
            unsafe { sys::napi_delete_reference(self.env, r.raw) };
        }
    }

    /// A new JS string from UTF-8 bytes; invalid sequences become U+FFFD, as in Node.
    pub fn string(self, bytes: &[u8]) -> napi::Result<Js<'s>> {
        let mut v = ptr::null_mut();
        // SAFETY: `bytes` is valid for `bytes.len()` bytes; Node-API copies them.
        let status = unsafe {
            sys::napi_create_string_utf8(self.env, bytes.as_ptr().cast(), bytes.len() as isize, &mut v)
        };
        check(status, "napi_create_string_utf8")?;
        Ok(self.wrap(v))
    }

    /// A new `Buffer` holding a copy of `bytes`.
    pub fn buffer_copy(self, bytes: &[u8]) -> napi::Result<Js<'s>> {
        let (mut v, mut data) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: `bytes` is valid for `bytes.len()` bytes; Node-API copies them.
        let status = unsafe {
            sys::napi_create_buffer_copy(self.env, bytes.len(), bytes.as_ptr().cast(), &mut data, &mut v)
        };
        check(status, "napi_create_buffer_copy")?;
        Ok(self.wrap(v))
    }

    /// A new JS array of `len` holes.
    pub fn array(self, len: usize) -> napi::Result<Js<'s>> {
        let mut v = ptr::null_mut();
        // SAFETY: a valid out-pointer.
        check(unsafe { sys::napi_create_array_with_length(self.env, len, &mut v) }, "napi_create_array")?;
        Ok(self.wrap(v))
    }

    /// A JS array of `items`.
    pub fn array_of(self, items: &[Js<'s>]) -> napi::Result<Js<'s>> {
        let arr = self.array(items.len())?;
        for (i, &item) in items.iter().enumerate() {
            self.set_element(arr, i as u32, item)?;
        }
        Ok(arr)
    }

    pub fn set_element(self, array: Js<'s>, i: u32, value: Js<'s>) -> napi::Result<()> {
        // SAFETY: live values of this scope.
        check(unsafe { sys::napi_set_element(self.env, array.raw, i, value.raw) }, "napi_set_element")
    }

    pub fn get_element(self, array: Js<'s>, i: u32) -> napi::Result<Js<'s>> {
        let mut v = ptr::null_mut();
        // SAFETY: live values of this scope.
        check(unsafe { sys::napi_get_element(self.env, array.raw, i, &mut v) }, "napi_get_element")?;
        Ok(self.wrap(v))
    }

    /// A JS number.
    pub fn number(self, n: f64) -> napi::Result<Js<'s>> {
        let mut v = ptr::null_mut();
        // SAFETY: a valid out-pointer.
        check(unsafe { sys::napi_create_double(self.env, n, &mut v) }, "napi_create_double")?;
        Ok(self.wrap(v))
    }

    /// A JS number from a `u32`.
    pub fn uint32(self, n: u32) -> napi::Result<Js<'s>> {
        let mut v = ptr::null_mut();
        // SAFETY: a valid out-pointer.
        check(unsafe { sys::napi_create_uint32(self.env, n, &mut v) }, "napi_create_uint32")?;
        Ok(self.wrap(v))
    }

    pub fn boolean(self, b: bool) -> napi::Result<Js<'s>> {
        let mut v = ptr::null_mut();
        // SAFETY: a valid out-pointer.
        check(unsafe { sys::napi_get_boolean(self.env, b, &mut v) }, "napi_get_boolean")?;
        Ok(self.wrap(v))
    }

    /// `undefined`.
    pub fn undefined(self) -> Js<'s> {
        let mut v = ptr::null_mut();
        // SAFETY: a valid out-pointer; this call cannot fail on a live env.
        unsafe { sys::napi_get_undefined(self.env, &mut v) };
        self.wrap(v)
    }

    /// A 64-bit integer from a JS number or bigint (the JS layer checked the range).
    pub fn int64(self, value: Js<'s>) -> napi::Result<i64> {
        let mut n = 0i64;
        // SAFETY: a live value; a bigint fails with a status and is read below.
        if unsafe { sys::napi_get_value_int64(self.env, value.raw, &mut n) } == sys::Status::napi_ok {
            return Ok(n);
        }
        let mut lossless = false;
        // SAFETY: a live value; a non-bigint fails with a status.
        let status = unsafe { sys::napi_get_value_bigint_int64(self.env, value.raw, &mut n, &mut lossless) };
        check(status, "napi_get_value_bigint_int64")?;
        Ok(n)
    }

    pub fn int32(self, value: Js<'s>) -> napi::Result<i32> {
        let mut n = 0;
        // SAFETY: a live value; a non-number fails with a status.
        check(unsafe { sys::napi_get_value_int32(self.env, value.raw, &mut n) }, "napi_get_value_int32")?;
        Ok(n)
    }

    pub fn uint32_of(self, value: Js<'s>) -> napi::Result<u32> {
        let mut n = 0;
        // SAFETY: a live value; a non-number fails with a status.
        check(unsafe { sys::napi_get_value_uint32(self.env, value.raw, &mut n) }, "napi_get_value_uint32")?;
        Ok(n)
    }

    pub fn double(self, value: Js<'s>) -> napi::Result<f64> {
        let mut n = 0.0;
        // SAFETY: a live value; a non-number fails with a status.
        check(unsafe { sys::napi_get_value_double(self.env, value.raw, &mut n) }, "napi_get_value_double")?;
        Ok(n)
    }

    /// The pointer this env's instance data was set to (null if none).
    pub fn instance_data(self) -> napi::Result<*mut c_void> {
        let mut data = ptr::null_mut();
        // SAFETY: a valid out-pointer.
        check(unsafe { sys::napi_get_instance_data(self.env, &mut data) }, "napi_get_instance_data")?;
        Ok(data)
    }
}

/// The size in bytes of one element of a typed array of type `ty`.
pub fn element_size(ty: sys::napi_typedarray_type) -> usize {
    use sys::TypedarrayType as T;
    match ty {
        T::int16_array | T::uint16_array => 2,
        T::int32_array | T::uint32_array | T::float32_array => 4,
        T::float64_array | T::bigint64_array | T::biguint64_array => 8,
        _ => 1,
    }
}
