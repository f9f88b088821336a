//! What a build tells the person running it: a line per stage with counts and times, a progress
//! bar over the schools on a terminal (plain lines in a log), and each school's error as soon as
//! it is found. `--quiet` leaves only the errors.

use std::fmt::Display;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    quiet: bool,
    terminal: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            quiet,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// `load     147 schools …   (35 ms)`
    pub fn stage(&self, name: &str, detail: impl Display, took: Duration) {
        if !self.quiet {
            println!("{name:<8} {detail} ({})", duration(took));
        }
    }

    pub fn line(&self, text: impl Display) {
        if !self.quiet {
            println!("{text}");
        }
    }

    pub fn error(&self, text: impl Display) {
        eprintln!("{text}");
    }

    /// A bar over `len` items of a stage.
    pub fn bar(&self, stage: &str, len: usize) -> Bar {
        let bar = (self.terminal && !self.quiet).then(|| {
            let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix:<8} [{bar:30}] {pos}/{len} schools {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(stage.to_string());
            bar
        });
        Bar {
            bar,
            quiet: self.quiet,
            stage: stage.to_string(),
            len,
            done: Mutex::new((0, Instant::now())),
        }
    }
}

/// Progress over the schools of one stage; safe to advance from parallel workers.
pub struct Bar {
    bar: Option<ProgressBar>,
    quiet: bool,
    stage: String,
    len: usize,
    /// Schools done, and when a plain line was last printed.
    done: Mutex<(usize, Instant)>,
}

/// Without a terminal, how often a long stage says how far it is.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Bar {
    /// One more school done. Without a terminal, a plain line every few seconds.
    pub fn inc(&self, school: &str) {
        let mut done = self.done.lock().expect("not poisoned");
        done.0 += 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(school.to_string());
                bar.inc(1);
            }
            None if !self.quiet && done.1.elapsed() >= PLAIN_EVERY && done.0 < self.len => {
                println!("{:<8} {}/{} schools", self.stage, done.0, self.len);
                done.1 = Instant::now();
            }
            None => {}
        }
    }

    /// An error, printed above the bar.
    pub fn error(&self, text: impl Display) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `35 ms`, `2.4 s`
pub fn duration(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// `1 school`, `3 schools`; `1 entry`, `2 entries`.
pub fn count(n: usize, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("1 {word}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {word}s"),
    }
}
