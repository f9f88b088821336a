//! `planpress new school`: a school file with every field of the schema, values empty.

use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::Outcome;
use crate::schema::Seg;
use crate::{scaffold, source};

pub fn school(root: &Path, id: &str, name: &str) -> Result<Outcome> {
    let county = source::load(root)?;
    // The schema decides what an id may be.
    let probe = serde_json::json!({ "id": id });
    if county
        .schema
        .errors(&probe)
        .iter()
        .any(|e| e.instance_path().as_str() == "/id")
    {
        let rule = county
            .schema
            .description(&[Seg::Key("id".into())])
            .unwrap_or_default();
        bail!("`{id}` is not a valid school id: {rule}");
    }
    let file = root.join("schools").join(format!("{id}.yaml"));
    if file.exists() {
        bail!("`{}` already exists; it was left as it is", file.display());
    }
    std::fs::create_dir_all(root.join("schools"))?;
    let text = scaffold::school_yaml(&county.schema, id, name);
    std::fs::write(&file, text).with_context(|| format!("failed to write `{}`", file.display()))?;
    println!(
        "wrote {}: fill in its values, then run `planpress check --school {id}`",
        file.display()
    );
    Ok(Outcome::Success)
}
