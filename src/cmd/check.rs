//! `planpress check`: every school file against the schema and the plan's rules.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use super::Outcome;
use crate::report::{self, CheckRun};
use crate::source;
use crate::validate::{self, SchoolReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn run(root: &Path, wanted: &[String], format: Format) -> Result<Outcome> {
    let started = Instant::now();
    let county = source::load(root)?;
    for id in wanted {
        if !county.schools.iter().any(|s| &s.id == id) {
            bail!("no school `{id}` in `{}`", root.join("schools").display());
        }
    }
    let reports: Vec<SchoolReport> = county
        .schools
        .iter()
        .filter(|s| wanted.is_empty() || wanted.contains(&s.id))
        .map(|s| validate::check_school(&county, s))
        .collect();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&CheckRun::new(&reports))?
        ),
        Format::Human => {
            let known = county
                .schools
                .iter()
                .map(|s| (s.file.as_path(), s.text.as_str()));
            print!(
                "{}",
                report::human(&reports, &report::sources(&reports, known))
            );
            eprintln!(
                "{} in {} ms",
                report::summary(&reports),
                started.elapsed().as_millis()
            );
        }
    }
    Ok(if reports.iter().any(|r| r.errors > 0) {
        Outcome::ContentErrors
    } else {
        Outcome::Success
    })
}
