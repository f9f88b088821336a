//! Checking released files against the hashes recorded when they were released, without
//! reading again what has not been written since.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{DOCS_DIR, Drift, Store};
use crate::base::hash::sha256;

impl Store {
    /// Every stored file checked against the hash recorded when it was released, in parallel
    /// (a county's editions weigh gigabytes). A file that looks as it did when its hash was last
    /// found right (`known`: same size, inode and modification time) is not read again, as
    /// git's index does; the looks of the files found right come back for the next time.
    pub fn verify(&self, known: &Looks) -> (Vec<Drift>, Looks) {
        let schools = self.editions.values().flatten().flat_map(|edition| {
            let folder = self.folder(&edition.school, &edition.release.version);
            let owner = edition.school.clone();
            edition
                .files
                .iter()
                .map(move |(name, recorded)| (owner.clone(), folder.join(name), recorded))
        });
        let docs = self.docs.values().flatten().flat_map(|edition| {
            let folder = self.doc_folder(&edition.doc, &edition.release.version);
            let owner = format!("{DOCS_DIR}/{}", edition.doc);
            edition
                .files
                .iter()
                .map(move |(name, recorded)| (owner.clone(), folder.join(name), recorded))
        });
        let files: Vec<(String, PathBuf, &String)> = schools.chain(docs).collect();
        let started = std::time::SystemTime::now();
        let checked: Vec<Result<Option<(PathBuf, Stamp)>, Drift>> = files
            .into_par_iter()
            .map(|(school, file, recorded)| {
                let look = fs::metadata(&file).ok().and_then(|m| Look::of(&m, started));
                if let Some(look) = &look
                    && known.get(&file) == Some(&(look.clone(), recorded.clone()))
                {
                    return Ok(Some((file, (look.clone(), recorded.clone()))));
                }
                let problem = match fs::read(&file) {
                    Ok(bytes) if sha256(&bytes) == *recorded => {
                        return Ok(look.map(|look| (file, (look, recorded.clone()))));
                    }
                    Ok(_) => {
                        "不是發布時的內容（SHA-256 不符）：已發布之版本不得更動，請自版本控制還原"
                            .to_string()
                    }
                    Err(e) => format!("發布時的檔案無法讀取（{e}）：請自版本控制還原"),
                };
                Err(Drift {
                    school,
                    file,
                    problem,
                })
            })
            .collect();
        let mut drifts = Vec::new();
        let mut looks = Looks::new();
        for c in checked {
            match c {
                Ok(Some((file, stamp))) => {
                    looks.insert(file, stamp);
                }
                Ok(None) => {}
                Err(drift) => drifts.push(drift),
            }
        }
        (drifts, looks)
    }
}

/// Stored files by path, with how each looked when its recorded hash was last found right.
pub type Looks = BTreeMap<PathBuf, Stamp>;
pub type Stamp = (Look, String);

/// How a file looks from outside: what changes whenever its bytes are written. (Not its
/// change time: a site linking the file changes that at every build.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Look {
    size: u64,
    inode: (u64, u64),
    modified: (i64, i64),
}

impl Look {
    /// `None` where the system does not say, and for a file modified just before `now`: a
    /// write in the same instant could follow unseen.
    #[cfg(unix)]
    fn of(meta: &fs::Metadata, now: std::time::SystemTime) -> Option<Look> {
        use std::os::unix::fs::MetadataExt;
        let recent = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_none_or(|age| age.as_secs() < 2);
        (!recent).then(|| Look {
            size: meta.len(),
            inode: (meta.dev(), meta.ino()),
            modified: (meta.mtime(), meta.mtime_nsec()),
        })
    }

    #[cfg(not(unix))]
    fn of(_: &fs::Metadata, _: std::time::SystemTime) -> Option<Look> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Edition, Release};
    use super::*;

    fn release(version: &str) -> Release {
        Release {
            version: version.into(),
            date: "2026-11-27".into(),
            note: "初版".into(),
            unit: String::new(),
            reviser: String::new(),
            approver: String::new(),
        }
    }

    #[test]
    fn a_stored_file_is_hashed_again_once_written_and_kept_read_only() {
        let root = tempfile::tempdir().unwrap();
        let mut store = Store::load(root.path()).unwrap();
        let bytes = b"%PDF-1.7 signed".to_vec();
        let edition = Edition {
            school: "a-es".into(),
            release: release("V1.0"),
            planpress: String::new(),
            inputs: Vec::new(),
            findings: Vec::new(),
            docs: BTreeMap::new(),
            law: None,
            files: [("public/plan.pdf".to_string(), sha256(&bytes))].into(),
        };
        store
            .add(edition, &vec![("public/plan.pdf".into(), bytes.clone())])
            .unwrap();
        let file = store.folder("a-es", "V1.0").join("public/plan.pdf");
        assert!(fs::metadata(&file).unwrap().permissions().readonly());

        // Written a while ago: its look is noted, and trusted while it stays the same.
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        fs::File::open(&file)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let (drifts, looks) = store.verify(&Looks::new());
        assert!(drifts.is_empty() && looks.contains_key(&file), "{drifts:?}");
        assert!(store.verify(&looks).0.is_empty());

        // Written since: hashed again, and found out.
        let mut permissions = fs::metadata(&file).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        fs::set_permissions(&file, permissions).unwrap();
        fs::write(&file, b"%PDF-1.7 altered").unwrap();
        let (drifts, looks) = store.verify(&looks);
        assert_eq!(drifts.len(), 1, "{drifts:?}");
        assert!(!looks.contains_key(&file));
    }
}
