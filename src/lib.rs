//! planpress: a county's schools' 資通安全維護計畫 from YAML data and shared Markdown text.
//!
//! The build is a pipeline of plain data: [`load`] reads the county repository, [`site`] renders
//! every school in parallel into in-memory artifacts, [`output`] swaps them in on disk.

pub mod check;
pub mod cli;
pub mod config;
pub mod data_page;
pub mod diagnostics;
pub mod forms;
pub mod load;
pub mod markdown;
pub mod markers;
pub mod numbering;
pub mod output;
pub mod pdf;
pub mod plan;
pub mod report;
pub mod roc;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod site;
pub mod templates;
pub mod theme;
pub mod typst_markup;
pub mod yaml;
