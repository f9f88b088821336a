//! `planpress new school`: a school file with every field of the schema, values empty.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};

use super::Outcome;
use crate::source::schema::Seg;
use crate::{scaffold, source};

#[derive(Debug, clap::Subcommand)]
pub enum NewArgs {
    /// 建立 schools/ID.yaml：列出 schema 的每個欄位，值留空 / Write `schools/ID.yaml` with
    /// every field of the schema, values empty.
    School(SchoolArgs),
}

#[derive(Debug, clap::Args)]
pub struct SchoolArgs {
    /// 學校識別碼：小寫英文字母、數字及連字號（例如 xinggang-es） / The school's id:
    /// lower-case letters, digits and hyphens (e.g. xinggang-es).
    pub id: String,
    /// 學校全銜，例如 嘉義縣新港鄉新港國民小學 / The school's full name (全銜), e.g.
    /// 嘉義縣新港鄉新港國民小學.
    #[arg(long)]
    pub name: String,
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
}

pub fn run(args: &NewArgs) -> Result<Outcome> {
    match args {
        NewArgs::School(args) => school(args),
    }
}

fn school(args: &SchoolArgs) -> Result<Outcome> {
    let (id, name) = (args.id.as_str(), args.name.as_str());
    let root = &source::county_root(args.root.as_deref());
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
