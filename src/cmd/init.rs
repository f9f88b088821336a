//! `planpress init DIR`: a new county repository that builds as it is. It starts from the
//! example county's text (the 17 chapters, the 18 forms, the shared incident procedure, the
//! county's configuration) and one of its schools, compiled into planpress so that it works
//! anywhere; the county then makes the text its own.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use include_dir::{Dir, include_dir};

use super::Outcome;

static PLAN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content/plan");
static FORMS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content/forms");
static DOCS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content/docs");
const COUNTY: &str = include_str!("../../content/county.yaml");
const SCHOOL_ID: &str = "dongshi-jh";
const SCHOOL: &str = include_str!("../../content/schools/dongshi-jh.yaml");

/// The example's published address, which a new county's site does not have: it is left for
/// the county to set, and until then the site has no sitemap.
const EXAMPLE_ADDRESS: &str = "  base_url: https://www.cyc.edu.tw/isms/";
const NEW_ADDRESS: &str =
    "  # base_url: https://www.example.edu.tw/isms/   # 網站發布網址；設定後方產生 sitemap.xml";

const README: &str = "\
# 資通安全維護計畫

本資料夾為 planpress 之縣市資料庫：各校資料（`schools/*.yaml`）與全縣共用之計畫本文
（`plan/`）、附件表單（`forms/`）及共用文件（`docs/`）。內容取自嘉義縣範例，請依貴縣市修改
`county.yaml` 及各章內容。

    planpress check                   # 檢查各校資料，列出尚未填寫之欄位
    planpress serve --open            # 本機預覽，存檔即更新
    planpress build                   # 產生網站及 PDF 至 public/
    planpress new school ID --name 全銜 # 新增一所學校
";

const GITIGNORE: &str = "/public\n/internal\n/.public.planpress\n/.internal.planpress\n";

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// 新資料庫的資料夾，須不存在或為空 / The new repository's folder: absent or empty.
    pub dir: PathBuf,
}

pub fn run(args: &InitArgs) -> Result<Outcome> {
    let dir = args.dir.as_path();
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("`{}` is not a folder", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "`{}` is not empty; planpress init writes only into an empty or new folder, \
                 and nothing was changed",
                dir.display()
            );
        }
    }
    let county = COUNTY.replace(EXAMPLE_ADDRESS, NEW_ADDRESS);
    let mut files: Vec<(String, &[u8])> = vec![
        ("county.yaml".into(), county.as_bytes()),
        (format!("schools/{SCHOOL_ID}.yaml"), SCHOOL.as_bytes()),
        ("README.md".into(), README.as_bytes()),
        (".gitignore".into(), GITIGNORE.as_bytes()),
    ];
    for (folder, embedded) in [("plan", &PLAN), ("forms", &FORMS), ("docs", &DOCS)] {
        for file in embedded.files() {
            let name = file.path().to_string_lossy();
            files.push((format!("{folder}/{name}"), file.contents()));
        }
    }
    for (path, bytes) in &files {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        fs::write(&file, bytes).with_context(|| format!("failed to write `{}`", file.display()))?;
    }
    println!(
        "wrote a county repository of {} files into {}: {} chapters, {} forms, {} shared \
         document and one school; build it with `planpress build --root {}`",
        files.len(),
        dir.display(),
        PLAN.files().count(),
        FORMS.files().count(),
        DOCS.files().count(),
        dir.display()
    );
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_county_is_not_published_at_the_example_address() {
        assert!(COUNTY.contains(EXAMPLE_ADDRESS));
        let county = COUNTY.replace(EXAMPLE_ADDRESS, NEW_ADDRESS);
        assert!(!county.contains("cyc.edu.tw"));
        assert_eq!(PLAN.files().count(), 17);
    }
}
