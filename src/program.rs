//! The planpress program itself: what typesetting workers are started from, and what a kit
//! carries for a school on the same system as the county centre.

use std::io;
use std::path::PathBuf;
use std::sync::OnceLock;

static PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Names the planpress program for a caller of the library that is not planpress itself (a
/// test binary): workers are started from it.
pub fn set(program: PathBuf) {
    let _ = PROGRAM.set(program);
}

/// The planpress program: the one named by [`set`], else this process's executable.
pub fn path() -> io::Result<PathBuf> {
    match PROGRAM.get() {
        Some(p) => Ok(p.clone()),
        None => std::env::current_exe(),
    }
}
