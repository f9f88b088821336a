//! What `planpress --version` names beside the version: the commit it was built from and the
//! day it was built; and the default theme, compiled into the binary (include_dir), rebuilt
//! when any of its files change.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rustc-env=PLANPRESS_COMMIT={}", commit());
    println!("cargo:rustc-env=PLANPRESS_BUILD_TIME={}", build_time());
}

/// The commit checked out, `unknown` outside a git checkout (a source archive). A commit or a
/// checkout moves HEAD or the branch it names, which runs this again.
fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(dir) = git(&["rev-parse", "--git-dir"]) else {
        return "unknown".into();
    };
    let dir = Path::new(&dir);
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    let watched = ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref());
    // Only files that exist: cargo runs this again on every build for one that does not.
    for file in watched.map(|f| dir.join(f)).filter(|f| f.is_file()) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".into())
}

/// When the build ran, in seconds since 1970 (UTC): `SOURCE_DATE_EPOCH` when a reproducible
/// build sets it, else now.
fn build_time() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
}
