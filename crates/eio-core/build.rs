//! Names the one platform split of the syscall layer: `cfg(eio_linux)` is set when the
//! crate is built for Linux with Linux's own calls (statx, getdents64, `O_PATH`,
//! openat2...). Without it (darwin, FreeBSD, or Linux with `RUSTFLAGS="--cfg
//! eio_portable"`, which tests the portable code there), the POSIX code is built.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(eio_linux)");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let portable = std::env::var_os("CARGO_CFG_EIO_PORTABLE").is_some();
    if linux && !portable {
        println!("cargo::rustc-cfg=eio_linux");
    }
}
