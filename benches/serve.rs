//! `planpress serve` latency, as the school staffer feels it: from saving the school's YAML to
//! the page's reload event, and the time to serve a PDF requested for the first time after a
//! change (the plan, typeset alone; the forms' PDF, which typesets the whole document). Drives the real
//! binary over a temporary copy of the example county.
//!
//! `cargo bench --bench serve` (release build). With `PLANPRESS_BASELINE=/path/to/planpress`
//! (say, a build of an earlier commit that serves `forms.pdf`), the same measures run against that binary too, in the
//! same command, and each figure is given as a ratio of the baseline's.

#[path = "../tests/testsuite/harness.rs"]
mod harness;
#[path = "../tests/testsuite/server.rs"]
mod server;

use std::fs;
use std::time::{Duration, Instant};

use server::Server;

const SCHOOL: &str = "dongshi-jh";
const PAGE: &str = "schools/dongshi-jh/draft/index.html";
const RUNS: usize = 9;
const PDF_RUNS: usize = 5;

/// Medians, in milliseconds, by what was measured.
type Figures = Vec<(&'static str, f64)>;

fn main() {
    let current = measure(env!("CARGO_BIN_EXE_planpress"));
    let Ok(baseline) = std::env::var("PLANPRESS_BASELINE") else {
        return;
    };
    println!("baseline {baseline}:");
    let before = measure(&baseline);
    for ((what, now), (_, then)) in current.iter().zip(&before) {
        println!(
            "{what}: {now:.1} ms against {then:.1} ms, {:.0} %",
            100.0 * now / then
        );
    }
}

fn measure(binary: &str) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("county");
    harness::copy_dir(&harness::content(), &root);
    let file = root.join("schools").join(format!("{SCHOOL}.yaml"));
    let original = fs::read_to_string(&file).unwrap();
    let server = Server::start(binary, &root, &[SCHOOL]);
    let mut events = server.events();
    let mut edition = 0;
    // Each save gives the school a new name, so every save changes the page.
    let mut save = || {
        edition += 1;
        let name = format!("name: 嘉義縣立東石國民中學第{edition}版");
        fs::write(
            &file,
            original.replacen("name: 嘉義縣立東石國民中學", &name, 1),
        )
        .unwrap();
        Instant::now()
    };
    let mut figures = Figures::new();

    // Warm-up: the first rebuild fills caches.
    save();
    events.rebuilt(PAGE, Duration::from_secs(60)).unwrap();

    let mut reload = Vec::new();
    for _ in 0..RUNS {
        let saved = save();
        events.rebuilt(PAGE, Duration::from_secs(60)).unwrap();
        reload.push(saved.elapsed());
        // Let the stream settle before the next save.
        std::thread::sleep(Duration::from_millis(150));
    }
    figures.push(report(
        "save → reload event, one school's HTML",
        &mut reload,
    ));

    let mut first = |path: &str| {
        let mut times = Vec::new();
        for _ in 0..PDF_RUNS {
            save();
            events.rebuilt(PAGE, Duration::from_secs(60)).unwrap();
            let asked = Instant::now();
            let reply = server.get(&format!("/schools/{SCHOOL}/draft/{path}"));
            times.push(asked.elapsed());
            assert!(reply.body.starts_with(b"%PDF-"), "{path}");
        }
        times
    };
    let mut plan = first("plan.pdf");
    let mut forms = first("forms.pdf");
    let mut cached: Vec<Duration> = (0..PDF_RUNS)
        .map(|_| {
            let asked = Instant::now();
            server.get(&format!("/schools/{SCHOOL}/draft/plan.pdf"));
            asked.elapsed()
        })
        .collect();
    figures.push(report(
        "school PDF, first request after a change",
        &mut plan,
    ));
    figures.push(report(
        "the forms' PDF, first request after a change",
        &mut forms,
    ));
    figures.push(report("school PDF, again (cached)", &mut cached));
    figures
}

fn report(what: &'static str, times: &mut [Duration]) -> (&'static str, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[times.len() / 2]);
    println!(
        "{what}: median {median:.1} ms (min {:.1}, max {:.1}, n = {})",
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
    (what, median)
}
