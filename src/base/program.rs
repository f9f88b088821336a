//! The planpress program itself: what typesetting workers are started from, and what a kit
//! carries for a school on the same system as the county centre.

use std::io;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::roc::Date;

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

/// `0.2.0 (commit 1a2b3c4d5e, built 2026-12-07)`: what `--version` prints after the name.
pub fn version() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| {
        let built = env!("PLANPRESS_BUILD_TIME").parse().unwrap_or(0);
        format!(
            "{} (commit {}, built {})",
            env!("CARGO_PKG_VERSION"),
            env!("PLANPRESS_COMMIT"),
            Date::from_unix(built).iso()
        )
    })
}

/// What identifies this build of planpress in fingerprints: its version, and the size and time
/// of its executable, so that a rebuilt planpress never reuses what an older one made.
pub fn build_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .ok()
            .map(|m| {
                let time = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{}-{time}", m.len())
            })
            .unwrap_or_default();
        format!("planpress {} {exe}", env!("CARGO_PKG_VERSION"))
    })
}
