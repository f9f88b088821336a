//! `planpress build`: the county's site, every school (or the named ones) into the output
//! folder, reusing from the cache every output whose inputs did not change. The stages run in
//! [`crate::site`]; this command says how it ended.

use std::time::Instant;

use anyhow::Result;

use super::Outcome;
use crate::progress::{Progress, count, duration};
use crate::site::{self, BuildOptions};

pub fn run(options: &BuildOptions) -> Result<Outcome> {
    let started = Instant::now();
    let p = Progress::new(options.quiet);
    let built = site::build(options, &p)?;
    p.line(format!(
        "built {} ({} failed) into {} in {}",
        count(built.schools, "school"),
        built.failed,
        options.out().display(),
        duration(started.elapsed()),
    ));
    if built.failed > 0 {
        p.line("the failed schools keep their previous pages where the previous site had them");
    }
    Ok(if built.failed > 0 || built.withheld > 0 {
        Outcome::ContentErrors
    } else {
        Outcome::Success
    })
}
