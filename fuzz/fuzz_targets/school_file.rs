//! Any bytes as a school file of the example county: a finding or a school, never a panic,
//! through decoding, YAML, validation (public and internal) and the resolved plan.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use planpress::model::Profile;
use planpress::resolve::{CountyText, resolve_school};
use planpress::source::{self, County};
use planpress::validate;

fn county() -> &'static (County, CountyText) {
    static COUNTY: OnceLock<(County, CountyText)> = OnceLock::new();
    COUNTY.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let county = source::load(&root).expect("the example county loads");
        let text = CountyText::compile(&county).expect("its text compiles");
        (county, text)
    })
}

fuzz_target!(|data: &[u8]| {
    let (county, text) = county();
    let file = PathBuf::from("schools/fuzz-school.yaml");
    let Ok(yaml) = source::text::decode(&file, data.to_vec()) else {
        return;
    };
    // No such folder: the school has no texts of its own.
    let root = Path::new("/nonexistent");
    let school = source::parse_school(root, "fuzz-school".into(), file, yaml);
    for profile in [Profile::Public, Profile::Internal] {
        let checked = validate::validate(county, &school, profile);
        if let Some(data) = &checked.data {
            let _ = resolve_school(county, text, &school, data, profile);
        }
    }
});
