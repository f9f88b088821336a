//! The source stage: a county repository read into plain data. `county.yaml`, `plan/`,
//! `docs/`, `forms/`, `schools/` and the theme.
//!
//! County-wide files must all be sound (a broken chapter breaks every school, so it stops the
//! build); a broken school file only marks that school as failed.

pub mod forms;
pub mod plan;
pub mod theme;
pub mod yaml;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::CountyConfig;
use crate::diagnostics::SourceError;
use crate::schema::Schema;
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

pub fn load(root: &Path) -> Result<County> {
    if !root.join("county.yaml").is_file() {
        bail!(
            "`{}` is not a county repository: it has no county.yaml",
            root.display()
        );
    }
    let config: CountyConfig = read_yaml(&root.join("county.yaml"))?;
    let theme = Theme::load(root, &config.theme)?;
    let schema = Schema::load(root, config.schema.as_deref())?;
    let forms = forms::load(&root.join("forms"))?;

    let mut chapters = Vec::new();
    for file in markdown_files(&root.join("plan"))? {
        let text = read(&file)?;
        chapters.push(plan::parse_chapter(&file, &text)?);
    }
    if chapters.is_empty() {
        bail!("`{}` holds no chapter files", root.join("plan").display());
    }
    check_unique_ids(&chapters)?;

    let mut docs = Vec::new();
    for file in markdown_files(&root.join("docs"))? {
        let text = read(&file)?;
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
        .collect::<Result<Vec<_>>>()?;
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
    Ok(county)
}

impl County {
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

fn load_school(root: &Path, file: PathBuf) -> Result<SchoolSource> {
    let id = stem(&file);
    let text = read(&file)?;
    if !is_school_id(&id) {
        // The id names the school's folder and addresses: nothing else may stand there.
        return Ok(SchoolSource {
            data: Err(SourceError::new(
                &file,
                None,
                format!(
                    "學校識別碼 `{id}` 不合規則：a school file's name is its id, lower-case letters, \
                     digits and hyphens starting with a letter or digit (e.g. `xinggang-es.yaml`); \
                     rename the file"
                ),
            )),
            overrides: Ok(Vec::new()),
            id,
            file,
            text,
        });
    }
    let data = yaml::parse(&text)
        .map_err(|e| SourceError::new(&file, Some(e.pos), e.message))
        .and_then(|node| check_school_id(&file, &id, node));
    let overrides = load_overrides(&root.join("schools").join(&id).join("overrides"))?;
    Ok(SchoolSource {
        id,
        file,
        text,
        data,
        overrides,
    })
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
    if !matches!(node.kind, yaml::Kind::Map(_)) {
        return Err(SourceError::new(
            file,
            Some(node.pos),
            "a school file is a mapping of fields (name: …, level: …)",
        ));
    }
    if let Some(v) = node.get("id")
        && v.as_str() != Some(id)
    {
        return Err(SourceError::new(
            file,
            Some(v.pos),
            format!("學校識別碼 (id) must equal the file name `{id}`"),
        ));
    }
    Ok(node)
}

fn load_overrides(dir: &Path) -> Result<Result<Vec<Override>, Vec<SourceError>>> {
    let mut overrides = Vec::new();
    let mut errors = Vec::new();
    for file in markdown_files(dir)? {
        match plan::parse_override(&file, &read(&file)?) {
            Ok(o) => overrides.push(o),
            Err(e) => errors.push(e),
        }
    }
    Ok(if errors.is_empty() {
        Ok(overrides)
    } else {
        Err(errors)
    })
}

/// Reads one school again after its file or its overrides changed, keeping the rest of the
/// county as loaded (the dev server's rebuild of one school). A school whose file is gone is
/// removed; a new file adds a school in load order.
pub fn reload_school(county: &mut County, id: &str) -> Result<()> {
    county.schools.retain(|s| s.id != id);
    let file = county.root.join("schools").join(format!("{id}.yaml"));
    if !file.is_file() {
        return Ok(());
    }
    let mut school = load_school(&county.root, file)?;
    check_overrides_of(&county.chapters, &mut school);
    let at = county.schools.partition_point(|s| s.file < school.file);
    county.schools.insert(at, school);
    Ok(())
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

fn read_yaml<T: serde::de::DeserializeOwned>(file: &Path) -> Result<T> {
    let text = read(file)?;
    yaml::from_str(&text).map_err(|e| SourceError::new(file, Some(e.pos), e.message).into())
}

fn read(file: &Path) -> Result<String> {
    fs::read_to_string(file).with_context(|| format!("failed to read `{}`", file.display()))
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
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("failed to read `{}`", dir.display()))? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
