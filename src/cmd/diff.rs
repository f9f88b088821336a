//! `planpress diff`: what changed in a school's plan between two editions, or between an edition
//! and the draft, in the terminal.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::Outcome;
use crate::editions::diff::diff;
use crate::engine::Engine;
use crate::model::Profile;

/// Prints the changes from edition `from` to `to` (a version, or `draft`) of school `id`.
pub fn run(root: &Path, id: &str, from: &str, to: &str, profile: Profile) -> Result<Outcome> {
    let engine = Engine::load(root, profile)?;
    let plan = |version: &str| {
        engine.plan_of(id, version).map_err(|errors| {
            let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow!("{}", said.join("\n"))
        })
    };
    let (old, new) = (plan(from)?, plan(to)?);
    println!("{id}：{from} → {to}");
    print!("{}", diff(&old, &new, &engine.county().schema).to_text());
    Ok(Outcome::Success)
}
