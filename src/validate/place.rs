//! Where a field is, in the reader's words: 第 2 位資安聯絡人的電子郵件, not `contacts.1.email`.
//! Positions in a list are counted from 1, as people count; the names are the schema's titles.

use crate::source::schema::{Schema, Seg};

/// The field at `path` named for people: each list position it passes through as
/// 「第 N 位／項／筆」 and its item's title, then the field's own title. Empty for the file as a
/// whole.
pub fn place(schema: &Schema, path: &[Seg]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut last_item = String::new();
    for (i, seg) in path.iter().enumerate() {
        if let Seg::Index(n) = seg {
            let item = schema.title(&path[..=i]);
            parts.push(format!("第 {} {}{item}", n + 1, counter(&item)));
            last_item = item;
        }
    }
    if let Some(Seg::Key(_)) = path.last() {
        let title = schema.title(path);
        // A field without a title of its own borrows its item's, which is named already.
        if parts.is_empty() || title != last_item {
            parts.push(title);
        }
    }
    parts.join("的")
}

/// How a list item is counted in Chinese: people by 位, records by 筆, anything else by 項.
fn counter(item: &str) -> &'static str {
    if item.ends_with('人') || item.ends_with('員') {
        "位"
    } else if item.ends_with("紀錄") {
        "筆"
    } else {
        "項"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::schema::parse_dotted as path;
    use std::path::Path;

    #[test]
    fn list_positions_count_from_one_with_the_items_title() {
        let schema = Schema::parse(crate::source::schema::BUILTIN, Path::new("s.yaml")).unwrap();
        let place = |p: &str| place(&schema, &path(p));
        assert_eq!(place("contacts.1.email"), "第 2 位資安聯絡人的電子郵件");
        assert_eq!(place("team.0.extension"), "第 1 位推動小組成員的分機");
        assert_eq!(
            place("core_systems.1.mtpd"),
            "第 2 項核心業務的最大可容忍中斷時間"
        );
        assert_eq!(place("plan.revisions.2"), "第 3 筆制/修訂紀錄");
        assert_eq!(
            place("core_systems.0.importance.1"),
            "第 1 項核心業務的第 2 項重要性說明"
        );
        assert_eq!(place("ciso.name"), "資通安全長姓名");
        assert_eq!(super::place(&schema, &[]), "");
    }
}
