//! A school's kit: what one school needs to preview and fill in its plan on its own PC, in one
//! zip the county centre hands it.
//!
//! It holds the county's shared files (config, chapters, forms, shared documents, theme,
//! schema, the shared documents' editions) and that school's own files (its data, its own
//! texts, its editions), never another school's: files are chosen by where they stand, and
//! before the zip is written every text in it is searched for every other school's sensitive
//! values, as a public site is. Inside the zip the county is `content/`, with its schema
//! beside it where the county keeps it beside, so that planpress started in the kit's folder
//! finds it as it finds the example county.

use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use walkdir::WalkDir;
use zip::write::SimpleFileOptions;

use crate::base::roc::Date;
use crate::leak::Secrets;
use crate::source::County;
use crate::source::schema::Schema;
use crate::source::text;

/// The county's folder inside a kit: the one planpress looks for when started beside it.
pub const COUNTY_FOLDER: &str = "content";

/// The guide at the top of every kit.
pub const GUIDE: &str = "使用說明.txt";

/// Folders of the county every school shares, whole.
const SHARED_FOLDERS: [&str; 6] = [
    "plan",
    "docs",
    "forms",
    "themes",
    "schemas",
    "editions/_docs",
];

/// The systems a planpress program is built for, as the downloads name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    WindowsX64,
    LinuxX64,
}

impl Platform {
    /// The name downloads and `--with-binary` use.
    pub fn name(self) -> &'static str {
        match self {
            Platform::WindowsX64 => "windows-x64",
            Platform::LinuxX64 => "linux-x64",
        }
    }

    pub fn parse(name: &str) -> Option<Platform> {
        [Platform::WindowsX64, Platform::LinuxX64]
            .into_iter()
            .find(|p| p.name() == name)
    }

    /// What this planpress runs on, when it is one of the platforms downloads exist for.
    pub fn current() -> Option<Platform> {
        match (std::env::consts::OS, std::env::consts::ARCH) {
            ("windows", "x86_64") => Some(Platform::WindowsX64),
            ("linux", "x86_64") => Some(Platform::LinuxX64),
            _ => None,
        }
    }

    /// The program's file name on that system.
    pub fn program_name(self) -> &'static str {
        match self {
            Platform::WindowsX64 => "planpress.exe",
            Platform::LinuxX64 => "planpress",
        }
    }

    /// The platform a program was built for, by its first bytes.
    fn of_program(bytes: &[u8]) -> Option<Platform> {
        if bytes.starts_with(b"MZ") {
            Some(Platform::WindowsX64)
        } else if bytes.starts_with(b"\x7fELF") {
            Some(Platform::LinuxX64)
        } else {
            None
        }
    }
}

/// A planpress program to put in a kit.
pub struct Program {
    pub platform: Platform,
    pub bytes: Vec<u8>,
}

impl Program {
    /// A program file, or a download archive (`planpress-…-windows-x64.zip`) that holds one.
    pub fn read(file: &Path) -> Result<Program> {
        let bytes =
            fs::read(file).with_context(|| format!("failed to read `{}`", file.display()))?;
        let bytes = if bytes.starts_with(b"PK\x03\x04") {
            program_in_archive(&bytes)
                .with_context(|| format!("`{}` holds no planpress program", file.display()))?
        } else {
            bytes
        };
        match Platform::of_program(&bytes) {
            Some(platform) => Ok(Program { platform, bytes }),
            None => bail!(
                "`{}` is not a planpress program for Windows or Linux / 不是 Windows 或 Linux 的 planpress 程式",
                file.display()
            ),
        }
    }
}

fn program_in_archive(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry
            .name()?
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        if name == "planpress.exe" || name == "planpress" {
            let mut program = Vec::new();
            entry.read_to_end(&mut program)?;
            return Ok(program);
        }
    }
    bail!("no file named planpress.exe or planpress")
}

/// One file of a kit.
struct Entry {
    /// Its path in the zip, below the kit's top folder, with `/`.
    name: String,
    bytes: Vec<u8>,
    executable: bool,
}

/// What was written.
#[derive(Debug)]
pub struct Written {
    /// The files in the kit, below its top folder.
    pub files: Vec<String>,
    pub bytes: u64,
}

/// Writes the kit of school `id` to `out` (a zip, replaced whole once it is complete).
pub fn write(county: &County, id: &str, program: Option<&Program>, out: &Path) -> Result<Written> {
    let school = county
        .schools
        .iter()
        .find(|s| s.id == id)
        .with_context(|| format!("no school `{id}` in `{}`", county.root.display()))?;
    let mut entries = county_files(county, id)?;
    refuse_other_schools_values(county, id, &entries)?;
    let name = school
        .data
        .as_ref()
        .ok()
        .and_then(|d| d.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or(id)
        .to_string();
    entries.push(Entry {
        name: GUIDE.into(),
        bytes: for_notepad(&guide(county, id, &name, program.map(|p| p.platform))),
        executable: false,
    });
    if let Some(program) = program {
        entries.push(Entry {
            name: program.platform.program_name().into(),
            bytes: program.bytes.clone(),
            executable: true,
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let top = format!("planpress-{id}");
    let partial = out.with_extension("zip.partial");
    let written = write_zip(&partial, &top, &entries).and_then(|()| {
        fs::rename(&partial, out).with_context(|| format!("failed to write `{}`", out.display()))
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    Ok(Written {
        files: entries.into_iter().map(|e| e.name).collect(),
        bytes: fs::metadata(out)?.len(),
    })
}

/// The county's shared files and the school's own, each read as the county's files are (inside
/// the repository, within the size bound).
fn county_files(county: &County, id: &str) -> Result<Vec<Entry>> {
    let root = &county.root;
    let mut files: Vec<PathBuf> = vec![root.join("county.yaml"), school_file(root, id)];
    let own = [
        root.join("schools").join(id),
        root.join("editions").join(id),
    ];
    for dir in SHARED_FOLDERS.iter().map(|d| root.join(d)).chain(own) {
        for entry in WalkDir::new(&dir).follow_links(true).sort_by_file_name() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e)
                    if e.io_error().map(|io| io.kind()) == Some(std::io::ErrorKind::NotFound) =>
                {
                    break;
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("failed to read `{}`", dir.display()));
                }
            };
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
    }
    let mut entries = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root).expect("walked below the county");
        entries.push(Entry {
            name: format!("{COUNTY_FOLDER}/{}", slashed(rel)),
            bytes: text::read_bytes(root, &file, text::THEME_FILE_LIMIT)?,
            executable: false,
        });
    }
    // The schema: in the county (where `schema:` may put it outside the shared folders), or
    // beside it (`content/` and `schemas/` side by side), and then beside it in the kit too.
    if let Some(schema) = Schema::file(root, county.config.schema.as_deref()) {
        let rel = schema
            .strip_prefix(root)
            .expect("the schema's path starts at the county");
        let name = match normalized(rel) {
            (0, rel) => format!("{COUNTY_FOLDER}/{rel}"),
            (1, rel) => rel,
            _ => bail!(
                "the schema `{}` stands neither in the county nor beside it",
                schema.display()
            ),
        };
        if !entries.iter().any(|e| e.name == name) {
            entries.push(Entry {
                name,
                bytes: text::read_bytes(&root.join(".."), &schema, text::COUNTY_FILE_LIMIT)?,
                executable: false,
            });
        }
    }
    Ok(entries)
}

fn school_file(root: &Path, id: &str) -> PathBuf {
    root.join("schools").join(format!("{id}.yaml"))
}

/// A relative path with `.` and `..` folded: how many folders it climbs above its start, and
/// the rest with `/`.
fn normalized(path: &Path) -> (usize, String) {
    let mut up = 0;
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::ParentDir if parts.pop().is_none() => up += 1,
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    (up, parts.join("/"))
}

fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Stops the kit when a county file carries another school's sensitive value (an IP typed into
/// a shared chapter): the school must get nothing of another's that the public may not.
fn refuse_other_schools_values(county: &County, id: &str, entries: &[Entry]) -> Result<()> {
    let secrets = Secrets::of_others(county, id);
    for entry in entries {
        let Ok(text) = std::str::from_utf8(&entry.bytes) else {
            continue;
        };
        if let Some(leak) = secrets.find(&entry.name, text).into_iter().next() {
            bail!(
                "`{}` holds the {}（{}）of school `{}`: a kit carries no other school's sensitive \
                 value / 此檔含他校之敏感資料，工具包不可帶出",
                entry.name,
                leak.owner.label,
                leak.owner.field,
                leak.owner.school
            );
        }
    }
    Ok(())
}

fn write_zip(file: &Path, top: &str, entries: &[Entry]) -> Result<()> {
    let out =
        fs::File::create(file).with_context(|| format!("failed to create `{}`", file.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let today = Date::today();
    let time = zip::DateTime::from_date_and_time(
        today.year as u16,
        today.month as u8,
        today.day as u8,
        0,
        0,
        0,
    )
    .unwrap_or_default();
    for entry in entries {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(time)
            .unix_permissions(if entry.executable { 0o755 } else { 0o644 });
        zip.start_file(format!("{top}/{}", entry.name), options)?;
        zip.write_all(&entry.bytes)?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

/// Text as Notepad on any Windows opens it: a byte-order mark and CRLF line ends.
fn for_notepad(text: &str) -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    bytes
}

/// The kit's guide, in the school's words.
fn guide(county: &County, id: &str, name: &str, program: Option<Platform>) -> String {
    let centre = county
        .config
        .network_centre
        .clone()
        .unwrap_or_else(|| county.config.name.clone());
    let sep = if program == Some(Platform::LinuxX64) {
        "/"
    } else {
        "\\"
    };
    let file = format!("{COUNTY_FOLDER}{sep}schools{sep}{id}.yaml");
    let start = match program {
        Some(Platform::WindowsX64) => "雙擊本資料夾中的 planpress.exe。".to_string(),
        Some(Platform::LinuxX64) => "在終端機中進入本資料夾，執行 ./planpress。".to_string(),
        None => format!(
            "本工具包未附程式：請向{centre}索取 planpress（Windows 版為 \
             planpress-{}-windows-x64.zip），將其中的 planpress.exe 放進本資料夾後雙擊。",
            env!("CARGO_PKG_VERSION")
        ),
    };
    format!(
        "{name}（{id}）資通安全維護計畫工具包
{centre}以 planpress {version} 製作，{date}。

一、內容
  {file}
      本校的資料檔：要填寫的就是這個檔案。
  {COUNTY_FOLDER}{sep}（其他檔案）
      {county}共用的計畫本文、附件表單、共用文件、版型與資料格式（schema），請勿修改。
  本工具包只有本校的資料，沒有他校的資料。本校資料檔含僅供列印之資料（系統 IP、個人電話），
  請妥善保管，勿公開。

二、預覽本校的計畫
  1. 先解壓縮整個工具包（在 zip 檔上按右鍵 →「解壓縮全部」），不要在 zip 檔裡直接開啟。
  2. {start}
     planpress 會以瀏覽器開啟本校計畫的預覽；若瀏覽器沒有自動開啟，請開啟 planpress 顯示的
     網址（例如 http://127.0.0.1:8040/）。
  3. 以記事本或其他文字編輯器修改並儲存 {file}，
     預覽頁會自動更新；頁首列出尚未填寫或格式不符的欄位，並說明該填什麼。
     存檔時編碼請選 UTF-8。
  4. 預覽頁中的「計畫 PDF」與「附件表單 PDF」為草稿，可下載列印檢視。
  5. 結束預覽：關閉 planpress 的視窗（在終端機中則按 Ctrl-C）。

三、填好之後
  將 {file} 以電子郵件寄回{centre}，請勿更改檔名。
",
        version = env!("CARGO_PKG_VERSION"),
        date = Date::today().long(),
        county = county.config.name,
    )
}
