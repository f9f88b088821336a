//! Reading the county's text files the way real files break: UTF-8 only (a byte-order mark is
//! dropped; Big5, CP950, UTF-16 and the like are named, with how to save as UTF-8), bounded in
//! size, and never through a symbolic link that leaves the repository.

use std::fs;
use std::path::Path;

use encoding_rs::Encoding;

use super::yaml::Pos;
use crate::base::diagnostics::SourceError;

/// The largest school file read: a complete one is about 10 KB.
pub const SCHOOL_FILE_LIMIT: u64 = 1024 * 1024;
/// The largest county file read (chapters, shared documents, form definitions, the theme's
/// templates).
pub const COUNTY_FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// The largest theme file read (a county's own fonts weigh tens of megabytes).
pub const THEME_FILE_LIMIT: u64 = 128 * 1024 * 1024;

/// The text of `file`, which must lie inside `root` (symbolic links resolved).
pub fn read(root: &Path, file: &Path, limit: u64) -> Result<String, SourceError> {
    decode(file, read_bytes(root, file, limit)?)
}

/// The bytes of `file`, which must lie inside `root` (symbolic links resolved).
pub fn read_bytes(root: &Path, file: &Path, limit: u64) -> Result<Vec<u8>, SourceError> {
    let fail = |message: String| SourceError::new(file, None, message);
    let real = fs::canonicalize(file).map_err(|e| fail(format!("無法讀取：{e}")))?;
    let inside = fs::canonicalize(root).is_ok_and(|root| real.starts_with(root));
    if !inside {
        return Err(fail(format!(
            "是指向本縣資料庫以外的符號連結（→ {}）：planpress 不讀取資料庫以外的檔案，請改放實際檔案",
            real.display()
        )));
    }
    let meta = fs::metadata(&real).map_err(|e| fail(format!("無法讀取：{e}")))?;
    if !meta.is_file() {
        // A pipe or a device would never end.
        return Err(fail("不是一般檔案：planpress 只讀取一般檔案".to_string()));
    }
    let size = meta.len();
    if size > limit {
        return Err(fail(format!(
            "檔案過大（{:.1} MB），上限為 {} MB：請確認這是正確的檔案",
            size as f64 / 1_048_576.0,
            limit / 1_048_576
        )));
    }
    fs::read(&real).map_err(|e| fail(format!("無法讀取：{e}")))
}

/// UTF-8 text, a leading byte-order mark dropped and Windows' line ends (CRLF) read as `\n`
/// (lines and columns stay where they were); anything else is an error that says what the
/// bytes look like and where the first one that is not UTF-8 stands.
pub fn decode(file: &Path, mut bytes: Vec<u8>) -> Result<String, SourceError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let error = match String::from_utf8(bytes) {
        Ok(text) if text.contains("\r\n") => return Ok(text.replace("\r\n", "\n")),
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let at = error.utf8_error().valid_up_to();
    let bytes = error.into_bytes();
    let before = String::from_utf8_lossy(&bytes[..at]);
    let pos = Pos {
        line: before.matches('\n').count() as u64 + 1,
        column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1,
    };
    Err(SourceError::new(
        file,
        Some(pos),
        format!(
            "檔案不是 UTF-8 編碼（看來是 {}）：請以 UTF-8 另存新檔（記事本：另存新檔 → 編碼選「UTF-8」；\
             或以 iconv -f {} -t UTF-8 轉換），其他學校不受影響",
            describe(&bytes),
            guess(&bytes).name()
        ),
    ))
}

/// What encoding bytes that are not UTF-8 seem to be in.
fn guess(bytes: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    // UTF-16 without its mark: YAML's ASCII leaves a zero byte in every other place.
    let zeros = |start: usize| {
        bytes
            .iter()
            .skip(start)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let half = bytes.len() / 2;
    if half > 0 && zeros(1) * 3 > half {
        return encoding_rs::UTF_16LE;
    }
    if half > 0 && zeros(0) * 3 > half {
        return encoding_rs::UTF_16BE;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(Some(b"tw"), true)
}

fn describe(bytes: &[u8]) -> String {
    let encoding = guess(bytes);
    match encoding.name() {
        "Big5" => "Big5（CP950，Windows 繁體中文之預設編碼）".to_string(),
        "GBK" | "gb18030" => "GBK（簡體中文）".to_string(),
        "UTF-16LE" | "UTF-16BE" => format!("{}（Windows 之「Unicode」）", encoding.name()),
        "Shift_JIS" | "EUC-JP" | "ISO-2022-JP" => format!("{}（日文）", encoding.name()),
        name => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Result<String, SourceError> {
        decode(Path::new("schools/a.yaml"), bytes.to_vec())
    }

    #[test]
    fn utf8_passes_and_a_byte_order_mark_is_dropped() {
        assert_eq!(
            decoded("name: 新港國小\n".as_bytes()).unwrap(),
            "name: 新港國小\n"
        );
        assert_eq!(decoded(b"\xEF\xBB\xBFname: a\n").unwrap(), "name: a\n");
    }

    #[test]
    fn windows_line_ends_read_as_unix_ones() {
        assert_eq!(
            decoded(b"\xEF\xBB\xBF---\r\ntitle: a\r\n---\r\nbody\r\n").unwrap(),
            "---\ntitle: a\n---\nbody\n"
        );
    }

    #[test]
    fn other_encodings_are_named_with_where_and_what_to_do() {
        let (big5, _, _) = encoding_rs::BIG5.encode("id: a\nname: 嘉義縣新港鄉新港國民小學\n");
        let err = decoded(&big5).unwrap_err();
        assert!(err.message.contains("Big5"), "{err}");
        assert!(err.message.contains("UTF-8 另存新檔"), "{err}");
        assert_eq!(err.pos.unwrap().line, 2);

        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "name: 新港國小\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert!(decoded(&utf16).unwrap_err().message.contains("UTF-16LE"));
        assert!(
            decoded(&utf16[2..])
                .unwrap_err()
                .message
                .contains("UTF-16LE"),
            "without its mark too"
        );

        let err = decoded(b"name: a\nshort_name: b\xFFc\n").unwrap_err();
        assert_eq!(
            err.pos.unwrap(),
            Pos {
                line: 2,
                column: 14
            }
        );
    }
}
