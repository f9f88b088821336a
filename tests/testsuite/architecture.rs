//! The layout of `src/` as the README draws it, held by the code: the stages import only the
//! stages before them, no files import each other in a loop, no file is over 500 lines
//! outside its tests, and the README's module map is the one the files describe.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::harness::repo;

/// The top-level modules of `src/`, in the order of the pipeline: each imports only modules of
/// the rows above its own. A module of the same row is its peer, not its input.
const STAGES: &[&[&str]] = &[
    &["base", "console", "progress"],
    &["config"],
    &["source"],
    &["markers", "leak", "scaffold"],
    &["model"],
    &["workbook"],
    &["validate"],
    &["resolve", "report"],
    &["editions"],
    &["dashboard"],
    &["render"],
    &["cache"],
    &["output"],
    &["search"],
    &["engine"],
    &["site", "serve", "import", "kit"],
    &["cmd"],
    &["cli"],
];

const MAX_LINES: usize = 500;

/// A file of `src/` by its module path (`render/pages/school`; `render` for `render/mod.rs`).
type Module = Vec<String>;

struct Crate {
    /// Each file's text, tests and comments left out.
    files: BTreeMap<Module, String>,
}

impl Crate {
    fn read() -> Crate {
        let mut files = BTreeMap::new();
        for file in rust_files(&repo().join("src")) {
            let rel = file.strip_prefix(repo().join("src")).unwrap();
            let mut module: Module = rel
                .with_extension("")
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            // main.rs is a crate of its own, using the library by its name.
            if module == ["main"] {
                continue;
            }
            if module == ["lib"] {
                module.clear();
            }
            let text = fs::read_to_string(&file).unwrap();
            files.insert(module, without_tests(&code_only(&text)));
        }
        Crate { files }
    }

    /// The file a path names: the longest of its prefixes that is a file.
    fn file_of(&self, path: &[String]) -> Option<Module> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|m| self.files.contains_key(m))
    }

    /// Which files each file imports. A module and its own submodules are one unit here: a
    /// `mod.rs` declares its submodules and they build on it.
    fn imports(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let mut graph = BTreeMap::new();
        for (module, text) in &self.files {
            let mut to = BTreeSet::new();
            for path in paths(module, text) {
                let Some(target) = self.file_of(&path) else {
                    continue;
                };
                let related = target.starts_with(module) || module.starts_with(&target);
                if !related {
                    to.insert(target);
                }
            }
            graph.insert(module.clone(), to);
        }
        graph
    }
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The text with comments, strings and character literals blanked, so that neither a doc
/// comment's `crate::x` nor a brace in a string counts.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_before(&chars, i) {
            // A raw string: r"…", r#"…"#.
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            let start = i + 1 + hashes;
            if chars.get(start) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars[start + 1..].iter().collect();
            let end = rest.find(&close).map_or(rest.len(), |n| n + close.len());
            i = start + 1 + rest[..end].chars().count();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The text without its `#[cfg(test)] mod … { … }` blocks: tests may import anything.
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let after = rest[at + "#[cfg(test)]".len()..].trim_start();
        if !after.starts_with("mod ") {
            out.push_str(&rest[..at + 1]);
            rest = &rest[at + 1..];
            continue;
        }
        out.push_str(&rest[..at]);
        let open = at + rest[at..].find('{').expect("a module body");
        let mut depth = 0;
        let mut end = rest.len();
        for (n, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => continue,
            }
            if depth == 0 {
                end = open + n + 1;
                break;
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The module paths a file names: `crate::a::b`, `use crate::a::{b, c::d}`, `super::x`.
fn paths(module: &Module, code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", module[..module.len().saturating_sub(1)].to_vec()),
    ] {
        let mut at = 0;
        while let Some(n) = code[at..].find(prefix) {
            let start = at + n;
            at = start + prefix.len();
            // `mycrate::` is another name.
            if code[..start]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            tree(&code[at..], &base, &mut out);
        }
    }
    out
}

/// Expands one use tree (`a::{b, c::{d}}`) at the start of `code` into whole paths.
fn tree(code: &str, base: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = base.to_vec();
    let mut i = 0;
    let bytes = code.as_bytes();
    loop {
        let ident: String = code[i..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        i += ident.len();
        if !ident.is_empty() && ident != "self" {
            path.push(ident);
        }
        if code[i..].starts_with("::{") {
            i += 3;
            loop {
                i += code[i..].len() - code[i..].trim_start().len();
                if bytes.get(i) == Some(&b'}') {
                    i += 1;
                    return i;
                }
                i += tree(&code[i..], &path, out);
                i += code[i..].len() - code[i..].trim_start().len();
                match bytes.get(i) {
                    Some(b',') => i += 1,
                    Some(b'}') => {
                        i += 1;
                        return i;
                    }
                    _ => return i,
                }
            }
        } else if code[i..].starts_with("::") {
            i += 2;
        } else {
            // ` as name` and the rest of the item are not part of the path.
            let rest = code[i..].trim_start();
            if let Some(alias) = rest.strip_prefix("as ") {
                let skip = code[i..].len() - rest.len() + 3;
                let name = alias
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .count();
                i += skip + (alias.len() - alias.trim_start().len()) + name;
            }
            out.push(path);
            return i;
        }
    }
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "lib".into()
    } else {
        module.join("/")
    }
}

/// The files that import each other in a loop: the strongly connected components of more than
/// one file (Tarjan's algorithm).
fn loops(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'g Module, usize>,
        low: BTreeMap<&'g Module, usize>,
        stack: Vec<&'g Module>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        for w in &s.graph[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                component.push(name(w));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn stage_of(module: &Module) -> Option<usize> {
    let top = module.first()?;
    STAGES.iter().position(|row| row.contains(&top.as_str()))
}

#[test]
fn no_files_import_each_other_in_a_loop() {
    let graph = Crate::read().imports();
    assert!(graph.len() > 50, "{} files read", graph.len());
    let found = loops(&graph);
    assert!(found.is_empty(), "import loops: {found:?}");
}

#[test]
fn every_stage_imports_only_the_stages_before_it() {
    let krate = Crate::read();
    let mut wrong = Vec::new();
    for module in krate.files.keys().filter(|m| !m.is_empty()) {
        assert!(
            stage_of(module).is_some(),
            "`{}` is in no stage: add it to STAGES where the pipeline uses it",
            module[0]
        );
    }
    for (from, targets) in krate.imports() {
        let Some(stage) = stage_of(&from) else {
            continue;
        };
        for to in targets {
            let to_stage = stage_of(&to).expect("every module has a stage");
            if to[0] != from[0] && to_stage >= stage {
                wrong.push(format!("{} imports {}", name(&from), name(&to)));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the pipeline: {wrong:#?}");
}

#[test]
fn the_base_imports_nothing_of_planpress() {
    let krate = Crate::read();
    for (from, targets) in krate.imports() {
        if from.first().is_some_and(|m| m == "base") {
            let outside: Vec<String> = targets
                .iter()
                .filter(|t| t.first().is_none_or(|m| m != "base"))
                .map(name)
                .collect();
            assert!(outside.is_empty(), "{} imports {outside:?}", name(&from));
        }
    }
}

#[test]
fn no_file_is_over_500_lines_outside_its_tests() {
    let mut long = Vec::new();
    for file in rust_files(&repo().join("src")) {
        let text = fs::read_to_string(&file).unwrap();
        let lines = text
            .lines()
            .collect::<Vec<_>>()
            .windows(2)
            .position(|w| w[0] == "#[cfg(test)]" && w[1].starts_with("mod "))
            .unwrap_or(text.lines().count());
        if lines > MAX_LINES {
            long.push(format!("{}: {lines}", file.display()));
        }
    }
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// The README's module map: every file of `src/` with the first line of what it says of itself.
fn module_map() -> String {
    let src = repo().join("src");
    let mut map = String::new();
    for file in rust_files(&src) {
        let text = fs::read_to_string(&file).unwrap();
        let about: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.trim_start_matches("//!").trim())
            .take_while(|l| !l.is_empty())
            .collect();
        let about = about.join(" ");
        // The first sentence: up to a full stop that does not end a number (`1.`).
        let end = about
            .match_indices(". ")
            .find(|(at, _)| !about[..*at].ends_with(|c: char| c.is_ascii_digit()))
            .map_or(about.len(), |(at, _)| at + 1);
        let sentence = unlink(&about[..end]);
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        map.push_str(&format!("| `{rel}` | {} |\n", sentence.replace('|', "\\|")));
    }
    map
}

/// Rustdoc's links (`` [`Engine`] ``, `` [`x`](crate::x) ``) as plain code for the README.
fn unlink(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("[`") {
        out.push_str(&rest[..at]);
        let Some(close) = rest[at..].find("`]") else {
            break;
        };
        out.push_str(&rest[at + 1..at + close + 1]);
        rest = &rest[at + close + 2..];
        if rest.starts_with('(') {
            rest = &rest[rest.find(')').map_or(rest.len(), |n| n + 1)..];
        }
    }
    out.push_str(rest);
    out
}

const MAP_START: &str = "<!-- module map: made by tests/testsuite/architecture.rs -->\n";
const MAP_END: &str = "<!-- end of module map -->";

#[test]
fn the_readme_module_map_is_the_code() {
    let readme_file = repo().join("README.md");
    let readme = fs::read_to_string(&readme_file).unwrap();
    let start = readme.find(MAP_START).expect("README has the module map") + MAP_START.len();
    let end = start + readme[start..].find(MAP_END).expect("the module map ends");
    let table = format!("| File | What it owns |\n|---|---|\n{}", module_map());
    if readme[start..end] != table {
        if std::env::var_os("PLANPRESS_UPDATE_README").is_some() {
            let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
            fs::write(&readme_file, updated).unwrap();
        } else {
            panic!(
                "README.md's module map is not the code's; run the test with \
                 PLANPRESS_UPDATE_README=1 to write it:\n{table}"
            );
        }
    }
}

#[test]
fn the_reader_of_imports_sees_what_rust_means() {
    let m = |s: &str| -> Module { s.split('/').map(String::from).collect() };
    let code = code_only(
        "use crate::a::{self, b::{C, d}, e as f};\n// crate::commented\n\
         let s = \"crate::quoted\"; let r = r#\"crate::raw\"#; super::g::h(); mycrate::x;\n\
         #[cfg(test)]\nmod tests { use crate::tested; }\n",
    );
    let found = paths(&m("x/y"), &without_tests(&code));
    let want: Vec<Module> = vec![m("a"), m("a/b/C"), m("a/b/d"), m("a/e"), m("x/g/h")];
    assert_eq!(found, want);
    let graph = BTreeMap::from([
        (m("a"), BTreeSet::from([m("b")])),
        (m("b"), BTreeSet::from([m("a")])),
        (m("c"), BTreeSet::from([m("a")])),
    ]);
    assert_eq!(loops(&graph), vec![vec!["a".to_string(), "b".to_string()]]);
}
