//! `planpress serve` latency, as the school staffer feels it: from saving the school's YAML to
//! the page's reload event, and the time to serve a plan PDF requested for the first time after
//! a change. Drives the real binary over a temporary copy of the example county.
//!
//! `cargo bench --bench serve` (release build).

#[path = "../tests/testsuite/harness.rs"]
mod harness;
#[path = "../tests/testsuite/server.rs"]
mod server;

use std::fs;
use std::time::{Duration, Instant};

use server::Server;

const SCHOOL: &str = "dongshi-jh";
const PAGE: &str = "schools/dongshi-jh/index.html";
const RUNS: usize = 9;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("county");
    harness::copy_dir(&harness::content(), &root);
    let file = root.join("schools").join(format!("{SCHOOL}.yaml"));
    let original = fs::read_to_string(&file).unwrap();
    let server = Server::start(env!("CARGO_BIN_EXE_planpress"), &root, &[SCHOOL]);
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
    report("save → reload event, one school's HTML", &mut reload);

    let mut pdf = Vec::new();
    let mut cached = Vec::new();
    for _ in 0..5 {
        save();
        events.rebuilt(PAGE, Duration::from_secs(60)).unwrap();
        let asked = Instant::now();
        let reply = server.get(&format!("/schools/{SCHOOL}/plan.pdf"));
        pdf.push(asked.elapsed());
        assert!(reply.body.starts_with(b"%PDF-"));
        let asked = Instant::now();
        server.get(&format!("/schools/{SCHOOL}/plan.pdf"));
        cached.push(asked.elapsed());
    }
    report("school PDF, first request after a change", &mut pdf);
    report("school PDF, again (cached)", &mut cached);
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.1} ms (min {:.1}, max {:.1}, n = {})",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}
