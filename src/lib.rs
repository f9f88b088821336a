//! planpress: a county's schools' 資通安全維護計畫 from YAML data and shared Markdown text.
//!
//! The build is a pipeline of plain data, each stage a module that imports only the stages
//! before it ([`base`] the types they all share; the README's Architecture section draws it and
//! `tests/testsuite/architecture.rs` holds the code to it): [`source`] reads the county
//! repository; [`validate`] checks every school and types its data ([`model`]); [`resolve`]
//! makes each school's plan with every value in place; [`editions`] keeps what each school
//! released; [`render`] parses a plan once into a document and writes pages and PDFs from it;
//! [`cache`] keeps outputs by fingerprint; [`output`] stages the site and swaps it in, with a
//! manifest; [`search`] indexes the staged site. The [`engine`] holds what is built once for a
//! county; [`site`] drives a build through the stages, the leak check among them; [`serve`]
//! previews from the same engine; [`cmd`] and [`cli`] parse options and print.

pub mod base;
pub mod cache;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod console;
pub mod dashboard;
pub mod editions;
pub mod engine;
pub mod import;
pub mod kit;
pub mod leak;
pub mod markers;
pub mod model;
pub mod output;
pub mod progress;
pub mod render;
pub mod report;
pub mod resolve;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod source;
pub mod validate;
pub mod workbook;
