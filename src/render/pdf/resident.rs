//! How much memory a typesetting worker holds, as its system counts it: what the parent
//! compares with the memory limit. Linux says it in `/proc`, Windows as the process's working
//! set; elsewhere (macOS) it is not read, and only the time limit applies.

use std::process::Child;

/// The resident memory of `child` in bytes, where the system says it.
#[cfg(target_os = "linux")]
pub fn bytes(child: &Child) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The resident memory of `child` in bytes: its working set.
#[cfg(windows)]
pub fn bytes(child: &Child) -> Option<u64> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::System::ProcessStatus::{
        K32GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS,
    };
    let size = std::mem::size_of::<PROCESS_MEMORY_COUNTERS>() as u32;
    // SAFETY: a plain struct of counters, zero being a valid value of each.
    let mut counters: PROCESS_MEMORY_COUNTERS = unsafe { std::mem::zeroed() };
    counters.cb = size;
    // SAFETY: the handle is the child's own (opened with every access right by
    // CreateProcess, valid while `child` lives), and the struct's size is given.
    let ok = unsafe { K32GetProcessMemoryInfo(child.as_raw_handle(), &mut counters, size) };
    (ok != 0).then_some(counters.WorkingSetSize as u64)
}

/// Not read here: only the time limit applies.
#[cfg(not(any(target_os = "linux", windows)))]
pub fn bytes(_child: &Child) -> Option<u64> {
    None
}
