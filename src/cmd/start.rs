//! planpress with no command: what a double-click on the program does. In a county repository
//! or a school's kit (the folder it was started in or dropped on, its `content/`, or the
//! program's own folder) it previews the school(s) there in the browser; anywhere else it says
//! in Chinese how to begin, and a window of its own waits for Enter before it closes.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::Outcome;
use crate::model::Profile;
use crate::serve::{self, ServeOptions};
use crate::{console, source};

pub fn run(dir: Option<PathBuf>) -> Result<Outcome> {
    let root = match &dir {
        Some(dir) => match county_in(dir) {
            Some(root) => root,
            None => bail!(
                "`{}` is neither a county repository nor a kit: it has no county.yaml / 這個資料夾\
                 不是縣市資料庫或工具包（找不到 county.yaml）",
                dir.display()
            ),
        },
        None => match places().iter().find_map(|d| county_in(d)) {
            Some(root) => root,
            None => {
                print!("{}", guide());
                console::hold_window();
                return Ok(Outcome::Success);
            }
        },
    };
    let county = source::load(&root)?;
    let schools: Vec<String> = match county.schools.as_slice() {
        [one] => vec![one.id.clone()],
        _ => Vec::new(),
    };
    let what = match county.schools.as_slice() {
        [one] => {
            let name = one.data.as_ref().ok().and_then(|d| d.get("name")?.as_str());
            format!("{}（{}）的計畫", name.unwrap_or(&one.id), one.id)
        }
        all => format!("{}所有學校（{} 所）的計畫", county.config.name, all.len()),
    };
    // The folder as its reader knows it (C:\Users\…), not relative to where planpress started.
    let shown = std::path::absolute(&root).unwrap_or_else(|_| root.clone());
    println!(
        "planpress 預覽{what}\n資料夾：{}\n\
         瀏覽器會開啟預覽；修改並儲存資料檔，或於頁面右下角「編輯資料」填寫表單存檔後，頁面會自動更新。預覽含僅供列印的資料（系統 IP、\
         個人電話），只有這台電腦能開啟。關閉此視窗即結束預覽。\n",
        shown.display()
    );
    serve::run(&ServeOptions {
        root: Some(root),
        schools,
        port: None,
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        open: true,
        profile: Profile::Internal,
        allow_edit: false,
    })?;
    Ok(Outcome::Success)
}

/// The county in `dir`: `dir` itself, or its `content/` (a kit, or this repository's layout).
fn county_in(dir: &Path) -> Option<PathBuf> {
    [dir.to_path_buf(), dir.join("content")]
        .into_iter()
        .find(|d| d.join("county.yaml").is_file())
}

/// Where a county is looked for: the current folder, then the program's own (Explorer starts
/// a double-clicked program in its folder, a shortcut may not).
fn places() -> Vec<PathBuf> {
    let mut places = vec![PathBuf::from(".")];
    if let Some(folder) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        places.push(folder);
    }
    places
}

fn guide() -> String {
    format!(
        "planpress {}：資通安全維護計畫\n\n\
         這裡沒有縣市資料庫或工具包（找不到 county.yaml），所以沒有可預覽的計畫。\n\n\
         學校：將縣網中心寄來的工具包（planpress-學校識別碼.zip）解壓縮，雙擊其中的 \
         planpress.exe；工具包若未附程式，請把 planpress.exe 放進解壓縮後的資料夾再雙擊，\n\
         或把該資料夾拖放到 planpress.exe 上。\n\n\
         縣網中心：在縣市資料庫中執行 planpress build 建置網站與 PDF，planpress kit --school \
         學校識別碼 製作學校的工具包；planpress --help 列出所有指令。\n",
        crate::base::program::version()
    )
}
