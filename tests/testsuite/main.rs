//! planpress's integration tests: one binary with one harness (see `harness`). Most tests build
//! a small fixture county through the library; the whole example county is built once, for the
//! tests that read it.

mod browser;
mod harness;
mod server;

mod accessibility;
mod architecture;
mod batch;
mod check;
mod conventions;
mod dashboard;
mod edit_form;
mod editions;
mod engine;
mod forms;
mod hostile;
mod kit;
mod pdf;
mod portable;
mod profiles;
mod search;
mod serve;
mod site;
mod snapshots;
mod strict;
mod wine;
mod wording;
mod workbook;
