//! The county's plan text as blocks, and each school's plan assembled from it.
//!
//! A chapter file is cut at its `#` and `##` headings into blocks, each known by its `{#id}`. A
//! school may replace or append to any block (its files under `schools/<id>/overrides/`); the
//! assembled Markdown marks such parts so that the page can show where a school deviates.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::yaml::{self, Pos};
use crate::base::diagnostics::SourceError;
use crate::base::numbering::ListNumbering;

/// What a table declaration starts with.
pub const TABLE_DECLARATION: &str = "<!-- planpress:table ";

/// The column widths a table declaration gives, when `html` is one: `Some(Err(what))` when it is not a
/// list of positive whole numbers.
pub fn table_widths(html: &str) -> Option<Result<Vec<usize>, String>> {
    let shares = html
        .trim()
        .strip_prefix(TABLE_DECLARATION)?
        .strip_suffix("-->")?;
    let parsed: Option<Vec<usize>> = shares
        .split_whitespace()
        .map(|s| s.parse().ok().filter(|&n| n > 0))
        .collect();
    Some(match parsed {
        Some(widths) if !widths.is_empty() => Ok(widths),
        _ => Err(shares.trim().to_string()),
    })
}

/// A heading line of the county text that opens a block.
#[derive(Debug, Clone)]
pub struct Block {
    pub id: String,
    /// 1 for a chapter, 2 for a section.
    pub level: usize,
    /// The heading line as written, `## 資通安全政策 {#policy-statement}`.
    pub heading: String,
    /// Template name of the body in the content template set.
    pub template: String,
    pub body: String,
    pub file: PathBuf,
    /// Line of the first body line in `file` (1-based), to map template errors back.
    pub body_line: usize,
}

/// One chapter: its own block (text before the first section) followed by its sections.
#[derive(Debug, Clone)]
pub struct Chapter {
    pub file: PathBuf,
    pub blocks: Vec<Block>,
}

impl Chapter {
    pub fn id(&self) -> &str {
        &self.blocks[0].id
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OverrideMode {
    Replace,
    Append,
}

impl OverrideMode {
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideMode::Replace => "replace",
            OverrideMode::Append => "append",
        }
    }

    /// The badge of a school's part on the page and in the PDF.
    pub fn label(self) -> &'static str {
        match self {
            OverrideMode::Replace => "本校修訂",
            OverrideMode::Append => "本校增列",
        }
    }
}

/// A school's replacement of, or addition to, a block of the county text.
#[derive(Debug, Clone)]
pub struct Override {
    pub target: String,
    pub mode: OverrideMode,
    pub template: String,
    pub body: String,
    pub file: PathBuf,
    pub body_line: usize,
    /// Line of `target:` in the front matter, where a wrong target is reported.
    pub target_line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideFront {
    target: String,
    mode: OverrideMode,
}

/// Splits `--- yaml ---` front matter from a Markdown file. Returns the YAML text (if any), the
/// body and the 1-based line where the body starts.
pub fn split_front_matter(text: &str) -> (Option<&str>, &str, usize) {
    let rest = match text.strip_prefix("---\n") {
        Some(rest) => rest,
        None => return (None, text, 1),
    };
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return (Some(yaml), body, i + 3);
        }
        offset += line.len();
    }
    (None, text, 1)
}

/// Parses front matter into `T`, positions relative to the whole file.
pub fn parse_front_matter<T: serde::de::DeserializeOwned>(
    file: &Path,
    yaml_text: &str,
) -> Result<T, SourceError> {
    yaml::from_str(yaml_text).map_err(|e| {
        // Front matter starts on line 2 of the file.
        let pos = Pos {
            line: e.pos.line + 1,
            column: e.pos.column,
        };
        SourceError::new(file, Some(pos), format!("front matter: {}", e.message))
    })
}

/// `# Title {#id}` → (level, id). Only ATX headings of level 1–2 open blocks.
fn block_heading(line: &str) -> Option<(usize, Option<&str>)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=2).contains(&level) || !line[level..].starts_with(' ') {
        return None;
    }
    let text = line.trim_end();
    let id = text
        .strip_suffix('}')
        .and_then(|t| t.rfind("{#").map(|i| &t[i + 2..]));
    Some((level, id))
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// A declaration planpress cannot follow, at its line (`first`: the line number of the text's
/// first line): a list numbering with a marker it does not know, or table widths that are not
/// one positive number per column of the table that follows.
fn check_declarations(file: &Path, text: &str, first: usize) -> Result<(), SourceError> {
    let mut in_fence = false;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if is_fence(line) {
            in_fence = !in_fence;
        }
        if in_fence {
            continue;
        }
        let problem = if let Some(Err(marker)) = ListNumbering::declaration(line) {
            Some(format!(
                "清單編號 `{marker}` 無法辨識：可用 一、 (一) 1. (1) A."
            ))
        } else {
            match table_widths(line) {
                Some(Err(shares)) => Some(format!(
                    "表格欄寬 `{shares}` 無法辨識：應為每欄一個正整數（相對寬度），例如 <!-- planpress:table 2 3 6 -->"
                )),
                Some(Ok(widths)) => {
                    let header = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
                    let cells = header
                        .filter(|l| l.trim_start().starts_with('|'))
                        .map(|l| l.trim().trim_matches('|').split('|').count());
                    match cells {
                        Some(n) if n == widths.len() => None,
                        Some(n) => Some(format!(
                            "表格欄寬宣告了 {} 欄，其後之表格有 {n} 欄",
                            widths.len()
                        )),
                        None => Some("表格欄寬宣告之後應緊接表格".to_string()),
                    }
                }
                None => None,
            }
        };
        if let Some(message) = problem {
            let column = line.len() - line.trim_start().len() + 1;
            return Err(SourceError::new(
                file,
                Some(Pos {
                    line: (first + i) as u64,
                    column: column as u64,
                }),
                message,
            ));
        }
    }
    Ok(())
}

/// Cuts a chapter file into blocks. The file must open with one `#` heading.
pub fn parse_chapter(file: &Path, text: &str) -> Result<Chapter, SourceError> {
    check_declarations(file, text, 1)?;
    let mut blocks: Vec<Block> = Vec::new();
    let mut in_fence = false;
    let mut body = String::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if is_fence(line) {
            in_fence = !in_fence;
        }
        let heading = if in_fence { None } else { block_heading(line) };
        match heading {
            Some((level, id)) => {
                let Some(id) = id.filter(|id| is_block_id(id)) else {
                    return Err(SourceError::new(
                        file,
                        Some(Pos {
                            line: line_no as u64,
                            column: 1,
                        }),
                        "計畫之 `#`、`##` 標題須有識別碼：`## 標題 {#ascii-id}`",
                    ));
                };
                if level == 1 && !blocks.is_empty() {
                    return Err(SourceError::new(
                        file,
                        Some(Pos {
                            line: line_no as u64,
                            column: 1,
                        }),
                        "一個章檔只放一章：此處出現第二個 `#` 標題",
                    ));
                }
                if let Some(last) = blocks.last_mut() {
                    last.body = std::mem::take(&mut body);
                }
                blocks.push(Block {
                    id: id.to_string(),
                    level,
                    heading: line.trim_end().to_string(),
                    template: format!("{}#{id}", file.display()),
                    body: String::new(),
                    file: file.to_path_buf(),
                    body_line: line_no + 1,
                });
            }
            None if blocks.is_empty() => {
                if !line.trim().is_empty() {
                    return Err(SourceError::new(
                        file,
                        Some(Pos {
                            line: line_no as u64,
                            column: 1,
                        }),
                        "章檔須以 `# 章名 {#id}` 標題開頭",
                    ));
                }
            }
            None => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    match blocks.last_mut() {
        Some(last) => last.body = body,
        None => {
            return Err(SourceError::new(
                file,
                None,
                "章檔中沒有 `# 章名 {#id}` 標題",
            ));
        }
    }
    if blocks[0].level != 1 {
        return Err(SourceError::new(
            file,
            Some(Pos { line: 1, column: 1 }),
            "章檔須以 `#` 標題開頭",
        ));
    }
    Ok(Chapter {
        file: file.to_path_buf(),
        blocks,
    })
}

fn is_block_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads one override file: front matter `target:` and `mode:`, then Markdown.
pub fn parse_override(file: &Path, text: &str) -> Result<Override, SourceError> {
    let (front, body, body_line) = split_front_matter(text);
    let Some(front) = front else {
        return Err(SourceError::new(
            file,
            Some(Pos { line: 1, column: 1 }),
            "an override starts with front matter naming its `target:` (a chapter or section id) and `mode:` (replace or append)",
        ));
    };
    let target_line = front
        .lines()
        .position(|l| l.trim_start().starts_with("target:"))
        .map_or(1, |i| i + 2);
    let front: OverrideFront = parse_front_matter(file, front)?;
    check_declarations(file, body, body_line)?;
    Ok(Override {
        target: front.target,
        mode: front.mode,
        template: file.display().to_string(),
        body: body.to_string(),
        file: file.to_path_buf(),
        body_line,
        target_line,
    })
}

/// Checks that every override names a block of the county text, and no block twice.
pub fn check_overrides(chapters: &[Chapter], overrides: &[Override]) -> Vec<SourceError> {
    let mut errors = Vec::new();
    for (i, o) in overrides.iter().enumerate() {
        let exists = chapters
            .iter()
            .flat_map(|c| &c.blocks)
            .any(|b| b.id == o.target);
        if !exists {
            errors.push(SourceError::new(
                &o.file,
                Some(Pos {
                    line: o.target_line as u64,
                    column: 1,
                }),
                format!(
                    "本校文字之 target `{}` 不是計畫中任何章節之識別碼",
                    o.target
                ),
            ));
        } else if overrides[..i]
            .iter()
            .any(|p| p.target == o.target && p.mode == o.mode)
        {
            errors.push(SourceError::new(
                &o.file,
                Some(Pos {
                    line: o.target_line as u64,
                    column: 1,
                }),
                format!("`{}` 以同一方式（mode）修訂了兩次", o.target),
            ));
        }
    }
    errors
}

/// How the assembled Markdown marks a school's own text; the renderers turn these comments
/// into visible frames (HTML) or boxes (print).
pub const OVERRIDE_OPEN: &str = "<!-- planpress:override";
pub const OVERRIDE_CLOSE: &str = "<!-- /planpress:override -->";

pub fn override_open(mode: OverrideMode, target: &str) -> String {
    format!(
        "\n{OVERRIDE_OPEN} mode={} target={target} -->\n\n",
        mode.as_str()
    )
}

/// One piece of a school's plan, in order: a heading, a county body or a school's override.
pub enum Piece<'a> {
    Heading(&'a Block),
    County(&'a Block),
    School(&'a Override),
}

/// The order in which a school's plan is put together from county blocks and its overrides.
pub fn assemble<'a>(chapters: &'a [Chapter], overrides: &'a [Override]) -> Vec<Piece<'a>> {
    let find = |id: &str, mode: OverrideMode| {
        overrides
            .iter()
            .find(move |o| o.target == id && o.mode == mode)
    };
    let mut pieces = Vec::new();
    for chapter in chapters {
        let head = &chapter.blocks[0];
        pieces.push(Piece::Heading(head));
        if let Some(o) = find(&head.id, OverrideMode::Replace) {
            // The whole chapter, sections included, is the school's own.
            pieces.push(Piece::School(o));
        } else {
            for block in &chapter.blocks {
                if block.level == 2 {
                    pieces.push(Piece::Heading(block));
                }
                match find(&block.id, OverrideMode::Replace) {
                    Some(o) => pieces.push(Piece::School(o)),
                    None => pieces.push(Piece::County(block)),
                }
                if block.level == 2
                    && let Some(o) = find(&block.id, OverrideMode::Append)
                {
                    pieces.push(Piece::School(o));
                }
            }
        }
        if let Some(o) = find(&head.id, OverrideMode::Append) {
            pieces.push(Piece::School(o));
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declaration_gives_positive_shares_or_says_what_is_wrong() {
        assert_eq!(
            table_widths("<!-- planpress:table 2 3 6 -->"),
            Some(Ok(vec![2, 3, 6]))
        );
        assert_eq!(
            table_widths("<!-- planpress:table 2 x -->"),
            Some(Err("2 x".into()))
        );
        assert_eq!(
            table_widths("<!-- planpress:table 0 -->"),
            Some(Err("0".into()))
        );
        assert_eq!(table_widths("<!-- a comment -->"), None);
    }

    const CHAPTER: &str = "# 資通安全防護 {#controls}\n\n導言\n\n## 設備 {#controls-devices}\n\n```\n# not a heading\n```\n\n## 存取 {#controls-access}\n\n存取內文\n";

    #[test]
    fn cuts_a_chapter_into_blocks() {
        let ch = parse_chapter(Path::new("plan/09.md"), CHAPTER).unwrap();
        let ids: Vec<&str> = ch.blocks.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["controls", "controls-devices", "controls-access"]);
        assert!(ch.blocks[1].body.contains("# not a heading"));
        assert_eq!(ch.blocks[2].body_line, 12);
    }

    #[test]
    fn an_unknown_list_numbering_is_an_error_at_its_line() {
        let text = "# 章 {#a}\n\n<!-- planpress:list 一、 -->\n1. 甲\n\n  <!-- planpress:list 甲、 -->\n1. 乙\n";
        let e = parse_chapter(Path::new("a.md"), text).unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 6, column: 3 }));
        assert!(e.message.contains("甲、"), "{}", e.message);
    }

    #[test]
    fn table_widths_that_do_not_fit_their_table_are_an_error_at_their_line() {
        let table = "| 甲 | 乙 | 丙 |\n|---|---|---|\n| 1 | 2 | 3 |\n";
        let ok = format!("# 章 {{#a}}\n\n<!-- planpress:table 2 3 6 -->\n{table}");
        assert!(parse_chapter(Path::new("a.md"), &ok).is_ok());
        for (declared, says) in [
            ("2 3", "宣告了 2 欄，其後之表格有 3 欄"),
            ("2 x 6", "`2 x 6`"),
        ] {
            let text =
                format!("# 章 {{#a}}\n\n本章。\n\n<!-- planpress:table {declared} -->\n{table}");
            let e = parse_chapter(Path::new("a.md"), &text).unwrap_err();
            assert_eq!(e.pos, Some(Pos { line: 5, column: 1 }), "{declared}");
            assert!(e.message.contains(says), "{}", e.message);
        }
        let alone = "# 章 {#a}\n\n<!-- planpress:table 2 3 -->\n\n本章。\n";
        let e = parse_chapter(Path::new("a.md"), alone).unwrap_err();
        assert!(e.message.contains("緊接表格"), "{}", e.message);
    }

    #[test]
    fn a_heading_without_id_is_an_error_with_its_line() {
        let err = parse_chapter(Path::new("x.md"), "# 章 {#a}\n\n## 節\n").unwrap_err();
        assert_eq!(err.pos.unwrap().line, 3);
    }

    #[test]
    fn overrides_replace_and_append() {
        let ch = parse_chapter(Path::new("plan/09.md"), CHAPTER).unwrap();
        let o = |target: &str, mode| Override {
            target: target.into(),
            mode,
            template: "o".into(),
            body: String::new(),
            file: "o.md".into(),
            body_line: 4,
            target_line: 2,
        };
        let overrides = [
            o("controls-devices", OverrideMode::Replace),
            o("controls", OverrideMode::Append),
        ];
        let chapters = [ch];
        let kinds: Vec<String> = assemble(&chapters, &overrides)
            .iter()
            .map(|p| match p {
                Piece::Heading(b) => format!("h:{}", b.id),
                Piece::County(b) => format!("c:{}", b.id),
                Piece::School(o) => format!("s:{}", o.target),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "h:controls",
                "c:controls",
                "h:controls-devices",
                "s:controls-devices",
                "h:controls-access",
                "c:controls-access",
                "s:controls"
            ]
        );
        assert!(check_overrides(&chapters, &[o("nope", OverrideMode::Append)]).len() == 1);
    }

    #[test]
    fn front_matter_is_split_with_body_line() {
        let (fm, body, line) = split_front_matter("---\ntitle: x\n---\n# 目的\n");
        assert_eq!(fm, Some("title: x\n"));
        assert_eq!(body, "# 目的\n");
        assert_eq!(line, 4);
    }
}
