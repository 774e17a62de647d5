//! Bindings of the `eio_core::ops::scan` requests.
