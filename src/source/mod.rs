//! The source stage: a county repository read into plain data. `county.yaml`, `plan/`,
//! `docs/`, `forms/`, `schools/` and the theme.
//!
//! County-wide files must all be sound (a broken chapter breaks every school, so it stops the
//! build); a broken school file only marks that school as failed.

mod citations;
pub mod edit;
pub mod forms;
pub mod plan;
pub mod schema;
pub mod text;
pub mod theme;
pub mod yaml;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::base::diagnostics::SourceError;
use crate::base::files;
use crate::config::{CountyConfig, Site};
use crate::source::schema::Schema;
use forms::FormDef;
use plan::{Chapter, Override};
use theme::Theme;
use yaml::Node;

pub struct County {
    pub root: PathBuf,
    pub config: CountyConfig,
    pub chapters: Vec<Chapter>,
    pub docs: Vec<PolicyDoc>,
    pub schools: Vec<SchoolSource>,
    pub theme: Theme,
    pub forms: Vec<FormInfo>,
    pub schema: Schema,
}

/// A document written once for the whole county (the incident procedure).
#[derive(Debug, Clone)]
pub struct PolicyDoc {
    pub id: String,
    pub title: String,
    pub file: PathBuf,
    pub body: String,
    pub body_line: usize,
}

/// An attachment form: what the plan cites (number, address, title) and its definition.
#[derive(Debug, Clone, Serialize)]
pub struct FormInfo {
    pub no: u32,
    pub slug: String,
    pub title: String,
    #[serde(skip)]
    pub def: FormDef,
    /// The definition's file and text, for the positions of what is wrong in it.
    #[serde(skip)]
    pub file: PathBuf,
    #[serde(skip)]
    pub text: String,
}

/// One school file, parsed or not.
pub struct SchoolSource {
    pub id: String,
    pub file: PathBuf,
    pub text: String,
    pub data: Result<Node, SourceError>,
    pub overrides: Result<Vec<Override>, Vec<SourceError>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocFront {
    title: String,
}

/// What the county is read from, in its repository: nothing else there is ever read, so a
/// site may be written beside them (`public/`).
pub const INPUTS: &[&str] = &[
    "county.yaml",
    "plan",
    "docs",
    "forms",
    "schools",
    "themes",
    "schemas",
    "editions",
];

/// The county repository: the one given, else `./content` when it has a county.yaml, else the
/// current folder.
pub fn county_root(given: Option<&Path>) -> PathBuf {
    match given {
        Some(root) => root.to_path_buf(),
        None if Path::new("content/county.yaml").is_file() => PathBuf::from("content"),
        None => PathBuf::from("."),
    }
}

pub fn load(root: &Path) -> Result<County> {
    if !root.join("county.yaml").is_file() {
        bail!(
            "`{}` is not a county repository: it has no county.yaml",
            root.display()
        );
    }
    let config: CountyConfig = read_yaml(root, &root.join("county.yaml"))?;
    if let Some(url) = &config.site.base_url {
        Site::check_base_url(url)
            .map_err(|e| anyhow::anyhow!("county.yaml: site.base_url: {e}"))?;
    }
    let theme = Theme::load(root, &config.theme)?;
    let schema = Schema::load(root, config.schema.as_deref())?;
    let forms = forms::load(root, &root.join("forms"))?;

    let chapter_files = markdown_files(&root.join("plan"))?;
    check_chapter_numbers(&chapter_files)?;
    let mut chapters = Vec::new();
    for file in chapter_files {
        let text = read(root, &file)?;
        chapters.push(plan::parse_chapter(&file, &text)?);
    }
    if chapters.is_empty() {
        bail!("`{}` holds no chapter files", root.join("plan").display());
    }
    check_unique_ids(&chapters)?;

    let mut docs = Vec::new();
    for file in markdown_files(&root.join("docs"))? {
        let text = read(root, &file)?;
        let (front, body, body_line) = plan::split_front_matter(&text);
        let front: DocFront = match front {
            Some(f) => plan::parse_front_matter(&file, f)?,
            None => bail!(SourceError::new(
                &file,
                None,
                "a shared document starts with front matter giving its `title:`"
            )),
        };
        docs.push(PolicyDoc {
            id: stem(&file),
            title: front.title,
            body: body.to_string(),
            body_line,
            file,
        });
    }

    let school_files = files_with_ext(&root.join("schools"), "yaml")?;
    let schools = school_files
        .into_par_iter()
        .map(|file| load_school(root, file))
        .collect();
    let mut county = County {
        root: root.to_path_buf(),
        config,
        chapters,
        docs,
        schools,
        theme,
        forms,
        schema,
    };
    check_school_overrides(&mut county);
    check_levels(&county)?;
    citations::check(&county)?;
    Ok(county)
}

/// Chapter files are numbered `01-…` to `NN-…` with no gap and no number twice: the chapters'
/// official numbers (壹 … 壹拾柒) follow the files, so a chapter deleted or doubled by mistake
/// would renumber every chapter after it.
fn check_chapter_numbers(files: &[PathBuf]) -> Result<()> {
    let mut seen: Vec<(usize, &PathBuf)> = Vec::new();
    for file in files {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let number = name
            .split_once('-')
            .and_then(|(n, _)| n.parse::<usize>().ok())
            .filter(|n| *n > 0);
        let Some(number) = number else {
            bail!(SourceError::new(
                file,
                None,
                "章檔須以章次開頭命名，例如 `01-basis.md`：章次決定其編號（壹、貳…）"
            ));
        };
        if let Some((_, other)) = seen.iter().find(|(n, _)| *n == number) {
            bail!(SourceError::new(
                file,
                None,
                format!(
                    "第 {number} 章有兩個檔案（另一個是 `{}`）：每章一個檔案",
                    other.display()
                )
            ));
        }
        seen.push((number, file));
    }
    seen.sort();
    for (expected, (number, file)) in (1..).zip(&seen) {
        if *number != expected {
            bail!(SourceError::new(
                file,
                None,
                format!(
                    "缺少第 {expected} 章（`{expected:02}-….md`）：其後各章的章次會因此改變；\
                     請補回，或將其後的檔案依序改名"
                )
            ));
        }
    }
    Ok(())
}

/// A level that the schema allows and a school uses must be one the county defines: without
/// its obligations every such plan would be wrong, which is the county's to fix.
fn check_levels(county: &County) -> Result<()> {
    let allowed = county
        .schema
        .choices(&[crate::source::schema::Seg::Key("level".into())]);
    for school in &county.schools {
        let Some(level) = school
            .data
            .as_ref()
            .ok()
            .and_then(|d| d.get("level"))
            .and_then(Node::as_str)
        else {
            continue;
        };
        if allowed.iter().any(|a| a == level) && !county.config.levels.contains_key(level) {
            let config = county.root.join("county.yaml");
            let pos = read(&county.root, &config)
                .ok()
                .and_then(|t| yaml::parse(&t).ok())
                .and_then(|n| match n.kind {
                    yaml::Kind::Map(entries) => entries
                        .into_iter()
                        .find(|(k, _)| k.name == "levels")
                        .map(|(k, _)| k.pos),
                    _ => None,
                });
            bail!(SourceError::new(
                config,
                pos,
                format!(
                    "資通安全責任等級 {level} 級未定義於 levels，但 `{}` 使用之：請在 levels 加上 {level} \
                     級之應辦事項（專責人員、訓練時數）",
                    county.relative(&school.file)
                )
            ));
        }
    }
    Ok(())
}

impl County {
    /// The ids of the schools `wanted` (every school when none is named), in the county's
    /// order; a name that is not a school of the county is an error.
    pub fn select(&self, wanted: &[String]) -> Result<Vec<&str>> {
        if let Some(id) = wanted
            .iter()
            .find(|w| !self.schools.iter().any(|s| &s.id == *w))
        {
            anyhow::bail!(
                "no school `{id}` in `{}`",
                self.root.join("schools").display()
            );
        }
        Ok(self
            .schools
            .iter()
            .map(|s| s.id.as_str())
            .filter(|id| wanted.is_empty() || wanted.iter().any(|w| w == id))
            .collect())
    }

    /// A file of the county as the repository names it (`schools/x.yaml`), not as this machine
    /// does: what a public page may show.
    pub fn relative(&self, file: &Path) -> String {
        file.strip_prefix(&self.root)
            .unwrap_or(file)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// One school: a file that cannot be read, or is no mapping, fails that school only.
pub fn load_school(root: &Path, file: PathBuf) -> SchoolSource {
    let id = stem(&file);
    let failed = |id: String, file: PathBuf, error: SourceError| SchoolSource {
        id,
        file,
        text: String::new(),
        data: Err(error),
        overrides: Ok(Vec::new()),
    };
    if !is_school_id(&id) {
        // The id names the school's folder and addresses: nothing else may stand there.
        let error = SourceError::new(
            &file,
            None,
            format!(
                "學校識別碼 `{id}` 不合規則：檔名即識別碼，只能用小寫英文字母、數字及連字號，\
                 且以字母或數字開頭（例如 `xinggang-es.yaml`）；請更改檔名"
            ),
        );
        return failed(id, file, error);
    }
    match text::read(root, &file, text::SCHOOL_FILE_LIMIT) {
        Ok(text) => parse_school(root, id, file, text),
        Err(error) => failed(id, file, error),
    }
}

/// A school from its file's text; its own texts are read from beside the file.
pub fn parse_school(root: &Path, id: String, file: PathBuf, text: String) -> SchoolSource {
    let data = yaml::parse_school(&text)
        .map_err(|e| SourceError::new(&file, Some(e.pos), e.message))
        .and_then(|node| check_school_id(&file, &id, node));
    let overrides = load_overrides(root, &root.join("schools").join(&id).join("overrides"));
    SchoolSource {
        id,
        file,
        text,
        data,
        overrides,
    }
}

/// `[a-z0-9][a-z0-9-]*`: what a school id may be, so that it can never address a path outside
/// its own folder.
pub fn is_school_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The id of a school is its file name; a different `id:` inside would make addresses unstable.
fn check_school_id(file: &Path, id: &str, node: Node) -> Result<Node, SourceError> {
    let what = match &node.kind {
        yaml::Kind::Map(_) => None,
        yaml::Kind::Null => Some("是空的"),
        yaml::Kind::Seq(_) => Some("是一份清單"),
        _ => Some("只有一個值"),
    };
    if let Some(what) = what {
        return Err(SourceError::new(
            file,
            Some(node.pos),
            format!(
                "學校資料檔{what}：應為「欄位: 值」的對照表（name: …、level: …）；\
                 可以 `planpress new school` 產生範本"
            ),
        ));
    }
    if let Some(v) = node.get("id")
        && v.as_str() != Some(id)
    {
        return Err(SourceError::new(
            file,
            Some(v.pos),
            format!("學校識別碼 (id) 應與檔名相同，即 `{id}`"),
        ));
    }
    Ok(node)
}

/// A school's own chapter texts; one that cannot be read, or a folder that cannot be listed,
/// fails that school only.
fn load_overrides(root: &Path, dir: &Path) -> Result<Vec<Override>, Vec<SourceError>> {
    let files = markdown_files(dir).map_err(|e| {
        vec![SourceError::new(
            dir,
            None,
            format!("無法讀取此資料夾：{e:#}"),
        )]
    })?;
    let mut overrides = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let parsed = text::read(root, &file, text::COUNTY_FILE_LIMIT)
            .and_then(|text| plan::parse_override(&file, &text));
        match parsed {
            Ok(o) => overrides.push(o),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(overrides)
    } else {
        Err(errors)
    }
}

/// Reads one school again after its file or its overrides changed, keeping the rest of the
/// county as loaded (the dev server's rebuild of one school). A school whose file is gone is
/// removed; a new file adds a school in load order.
pub fn reload_school(county: &mut County, id: &str) {
    county.schools.retain(|s| s.id != id);
    let file = county.root.join("schools").join(format!("{id}.yaml"));
    if file.is_file() {
        let school = load_school(&county.root, file);
        insert_school(county, school);
    }
}

/// Takes `text` as the school's file, in place of the one on disk (a returned file before it
/// is written); findings point into `file`, where the text comes from.
pub fn put_school(county: &mut County, id: &str, file: PathBuf, text: String) {
    county.schools.retain(|s| s.id != id);
    let school = parse_school(&county.root, id.to_string(), file, text);
    insert_school(county, school);
}

/// Adds a school in load order, as its file's name sorts.
fn insert_school(county: &mut County, mut school: SchoolSource) {
    check_overrides_of(&county.chapters, &mut school);
    let name = |id: &str| format!("{id}.yaml");
    let at = county
        .schools
        .partition_point(|s| name(&s.id) < name(&school.id));
    county.schools.insert(at, school);
}

fn check_school_overrides(county: &mut County) {
    for school in &mut county.schools {
        check_overrides_of(&county.chapters, school);
    }
}

fn check_overrides_of(chapters: &[Chapter], school: &mut SchoolSource) {
    if let Ok(overrides) = &school.overrides {
        let errors = plan::check_overrides(chapters, overrides);
        if !errors.is_empty() {
            school.overrides = Err(errors);
        }
    }
}

fn check_unique_ids(chapters: &[Chapter]) -> Result<()> {
    let mut seen: Vec<(&str, &Path)> = Vec::new();
    for block in chapters.iter().flat_map(|c| &c.blocks) {
        if let Some((_, first)) = seen.iter().find(|(id, _)| *id == block.id) {
            bail!(SourceError::new(
                &block.file,
                None,
                format!(
                    "heading id `{}` is used twice (also in `{}`)",
                    block.id,
                    first.display()
                )
            ));
        }
        seen.push((&block.id, &block.file));
    }
    Ok(())
}

fn read_yaml<T: serde::de::DeserializeOwned>(root: &Path, file: &Path) -> Result<T> {
    let text = read(root, file)?;
    yaml::from_str(&text).map_err(|e| SourceError::new(file, Some(e.pos), e.message).into())
}

/// A county file: one that cannot be read breaks every school, so it stops the build.
pub(crate) fn read(root: &Path, file: &Path) -> Result<String> {
    Ok(text::read(root, file, text::COUNTY_FILE_LIMIT)?)
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>> {
    files_with_ext(dir, "md")
}

/// Files of one extension directly in `dir`, sorted by name; none when `dir` does not exist.
fn files_with_ext(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    Ok(files::children(dir)?
        .into_iter()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|e| e == ext))
        .map(|e| e.into_path())
        .collect())
}
