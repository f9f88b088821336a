//! planpress: a county's schools' 資通安全維護計畫 from YAML data and shared Markdown text.
//!
//! The build is a pipeline of plain data, each stage a module: [`source`] reads the county
//! repository; [`validate`] checks every school and types its data; [`resolve`] makes each
//! school's plan with every value in place; [`render`] parses it once into a document and writes
//! pages and PDFs from it; [`output`] swaps the site in, with a manifest. The [`engine`] holds
//! what is built once and answers `build` and `serve`; [`cache`] keeps outputs by fingerprint;
//! [`routes`] is the one place that makes a site path or link; [`editions`] keeps what each
//! school released; [`search`] indexes the finished site for its search page.

pub mod base;
pub mod cache;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod console;
pub mod dashboard;
pub mod diagnostics;
pub mod editions;
pub mod engine;
pub mod import;
pub mod kit;
pub mod leak;
pub mod markers;
pub mod model;
pub mod numbering;
pub mod output;
pub mod program;
pub mod progress;
pub mod render;
pub mod report;
pub mod resolve;
pub mod roc;
pub mod routes;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod source;
pub mod validate;
