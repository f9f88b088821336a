//! What the chapters cite of the county: its shared documents (`docs["incident-procedure"]`),
//! its document names (`county.documents.discipline`) and its terms (`county.terms.…`). A
//! citation of something the county does not have is the county's error, at the chapter's line,
//! before any school is built: otherwise every school would fail with the same message, at the
//! line where its block starts. A chapter that tests for it (`{% if docs["x"] %}`) cites it
//! conditionally, and a county without it is fine.

use std::collections::BTreeSet;

use crate::base::diagnostics::Pos;
use crate::base::diagnostics::SourceError;
use crate::source::County;

/// The kinds of citation: how a chapter writes one, and what the county lacks when it fails.
const KINDS: [(&str, &str); 4] = [
    ("docs[\"", "共用文件（docs/ 之下）"),
    ("docs['", "共用文件（docs/ 之下）"),
    ("county.documents.", "county.yaml 之 documents"),
    ("county.terms.", "county.yaml 之 terms"),
];

/// Every citation a chapter makes of something the county does not have.
pub fn check(county: &County) -> Result<(), SourceError> {
    let docs: BTreeSet<&str> = county.docs.iter().map(|d| d.id.as_str()).collect();
    let has = |kind: &str, key: &str| match kind {
        "county.documents." => county.config.documents.contains_key(key),
        "county.terms." => county.config.terms.contains_key(key),
        _ => docs.contains(key),
    };
    for chapter in &county.chapters {
        let text: String = chapter.blocks.iter().map(|b| b.body.as_str()).collect();
        let guarded = guarded(&text);
        for block in &chapter.blocks {
            for (i, line) in block.body.lines().enumerate() {
                for (kind, what) in KINDS {
                    for (column, key) in cited(line, kind) {
                        if has(kind, key) || guarded.contains(&(kind, key)) {
                            continue;
                        }
                        return Err(SourceError::new(
                            &block.file,
                            Some(Pos {
                                line: (block.body_line + i) as u64,
                                column: column as u64 + 1,
                            }),
                            format!(
                                "本章引用 `{key}`，但本縣沒有此{what}：請加入，或以 {{% if … %}} 使引用視有無而定"
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The keys a line cites in this way, with the column (in characters, from 0) where each
/// citation starts.
fn cited<'a>(line: &'a str, kind: &str) -> Vec<(usize, &'a str)> {
    line.match_indices(kind)
        .filter_map(|(at, _)| {
            let rest = &line[at + kind.len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))?;
            (end > 0).then(|| (line[..at].chars().count(), &rest[..end]))
        })
        .collect()
}

/// What a chapter tests for inside `{% if … %}` or `{% elif … %}`: those citations are
/// conditional.
fn guarded(text: &str) -> BTreeSet<(&'static str, &str)> {
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices("{%") {
        let tag = &text[at..];
        let tag = &tag[..tag.find("%}").unwrap_or(tag.len())];
        let words = tag.trim_start_matches(['{', '%', '-', ' ']);
        if words.starts_with("if ") || words.starts_with("elif ") {
            for (kind, _) in KINDS {
                out.extend(cited(tag, kind).into_iter().map(|(_, key)| (kind, key)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_found_with_their_column_and_tests_make_them_conditional() {
        let line =
            r#"依{{ county.documents.discipline }}及[{{ docs["incident-procedure"].title }}]"#;
        assert_eq!(cited(line, "county.documents."), [(4, "discipline")]);
        assert_eq!(cited(line, "docs[\""), [(39, "incident-procedure")]);
        let text = "{% if docs[\"incident-procedure\"] %}[x]({{ docs[\"incident-procedure\"].url }}){% endif %}\n{{ county.terms.office }}";
        let guarded = guarded(text);
        assert!(guarded.contains(&("docs[\"", "incident-procedure")));
        assert!(!guarded.iter().any(|(_, key)| *key == "office"));
    }
}
