//! The console planpress prints to.
//!
//! On Windows a console shows the bytes a program writes in its code page (950, Big5, on a
//! Taiwanese PC), and shows colour codes as text unless asked not to. While planpress runs, its
//! console takes UTF-8 (what planpress writes, also to a pipe such as `planpress check | more`)
//! and colour codes; the code page is put back when it ends. A console that planpress alone is
//! attached to was opened for it by a double-click, and closes as soon as planpress ends.

/// The console's settings as planpress found them, put back when dropped.
pub struct Console {
    #[cfg(windows)]
    code_page: u32,
}

/// Sets the console up for planpress (see the module); a no-op where consoles take UTF-8.
pub fn setup() -> Console {
    #[cfg(windows)]
    {
        windows::setup()
    }
    #[cfg(not(windows))]
    {
        Console {}
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        #[cfg(windows)]
        windows::restore(self.code_page);
    }
}

/// Whether planpress has a console window of its own, which closes when it ends: on Windows,
/// started from Explorer rather than from a command prompt.
pub fn is_own_window() -> bool {
    #[cfg(windows)]
    {
        windows::is_own_window()
    }
    #[cfg(not(windows))]
    {
        false
    }
}

/// Keeps a window of planpress's own open until its reader presses Enter, so that what was
/// printed can be read; returns at once in a terminal that stays.
pub fn hold_window() {
    if is_own_window() {
        println!();
        println!("按 Enter 鍵關閉此視窗。");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
}

#[cfg(windows)]
mod windows {
    use windows_sys::Win32::System::Console::{
        ENABLE_VIRTUAL_TERMINAL_PROCESSING, GetConsoleMode, GetConsoleOutputCP,
        GetConsoleProcessList, GetStdHandle, STD_ERROR_HANDLE, STD_OUTPUT_HANDLE, SetConsoleMode,
        SetConsoleOutputCP,
    };

    use super::Console;

    /// The UTF-8 code page (windows-sys keeps its name in the Globalization API).
    const CP_UTF8: u32 = 65001;

    pub fn setup() -> Console {
        // SAFETY: plain calls on the process's own standard handles; a handle that is not a
        // console makes them fail, which leaves everything as it was.
        unsafe {
            let code_page = GetConsoleOutputCP();
            if code_page != 0 && code_page != CP_UTF8 {
                SetConsoleOutputCP(CP_UTF8);
            }
            for which in [STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] {
                let handle = GetStdHandle(which);
                let mut mode = 0;
                if GetConsoleMode(handle, &mut mode) != 0 {
                    SetConsoleMode(handle, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
                }
            }
            Console { code_page }
        }
    }

    pub fn restore(code_page: u32) {
        if code_page != 0 && code_page != CP_UTF8 {
            // SAFETY: as in `setup`.
            unsafe {
                SetConsoleOutputCP(code_page);
            }
        }
    }

    pub fn is_own_window() -> bool {
        let mut processes = [0u32; 2];
        // SAFETY: the buffer's length is given; the call writes at most that many ids.
        let attached = unsafe { GetConsoleProcessList(processes.as_mut_ptr(), 2) };
        attached == 1
    }
}
