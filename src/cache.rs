//! Outputs by fingerprint, kept between builds so that an output whose inputs did not change is
//! never made twice.
//!
//! A fingerprint is the SHA-256 of everything an output depends on, written by the engine. An
//! entry is a folder `<kind>/<fp[..2]>/<fp>/` holding the files under their site paths and
//! `entry.json` listing each with its hash, size and modification time; its kind says what
//! builds make it (a school's pages, its PDFs), so that a build without PDFs leaves them be.
//!
//! Entries are written into a temporary folder and renamed into place, and removed by moving
//! them back there first, so that no build ever finds half of one; an entry whose files changed
//! since (size or time) is dropped, never served. The cache's folder carries a `CACHEDIR.TAG`:
//! planpress uses, and deletes in, no other folder but an empty one.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::base::files;
use crate::base::hash::sha256;
use crate::base::routes::Output;
use crate::base::routes::Route;

/// An entry's files, and the text read in them where that is not their bytes.
#[derive(Debug, Clone)]
pub struct Entry {
    pub files: Vec<Cached>,
    pub text: Option<String>,
}

/// A file of a cache entry, ready to be linked into the site.
#[derive(Debug, Clone)]
pub struct Cached {
    pub route: Route,
    pub file: PathBuf,
    pub sha256: String,
    pub size: u64,
}

#[derive(Serialize, Deserialize)]
struct EntryFile {
    path: String,
    sha256: String,
    size: u64,
    /// Nanoseconds since the epoch.
    modified: u128,
}

const ENTRY: &str = "entry.json";
/// The text of an entry's PDFs, for the public copy's leak check.
const TEXT: &str = "text.txt";
const TMP: &str = "tmp";
/// Marks a cache folder (the convention backup tools know: <https://bford.info/cachedir/>).
const TAG: &str = "CACHEDIR.TAG";
const TAG_TEXT: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This folder is planpress's cache of built outputs; it may be deleted at any time.\n";

pub struct Cache {
    dir: PathBuf,
    /// Entries this build used or made (`kind/fp`); the others of the kinds it makes go at
    /// [`Cache::prune`].
    used: Mutex<BTreeSet<String>>,
    temporaries: AtomicUsize,
}

impl Cache {
    /// Opens the cache in `dir`: a folder planpress made for it, or an absent or empty one.
    pub fn open(dir: &Path) -> Result<Cache> {
        let tagged = dir.join(TAG).is_file();
        let empty = fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
        if !tagged && !empty {
            anyhow::bail!(
                "refusing to use `{}` as the cache: it is not empty and not a planpress cache \
                 (it has no {TAG}); give --cache-dir a folder of its own",
                dir.display()
            );
        }
        fs::create_dir_all(dir)
            .with_context(|| format!("failed to create the cache `{}`", dir.display()))?;
        if !tagged {
            fs::write(dir.join(TAG), TAG_TEXT)
                .with_context(|| format!("failed to write `{}`", dir.join(TAG).display()))?;
        }
        Ok(Cache {
            dir: dir.to_path_buf(),
            used: Mutex::new(BTreeSet::new()),
            temporaries: AtomicUsize::new(0),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry_dir(&self, kind: &str, fp: &str) -> PathBuf {
        self.dir.join(kind).join(&fp[..2]).join(fp)
    }

    /// The files of entry `fp` of `kind`, when it is there and intact.
    pub fn get(&self, kind: &str, fp: &str) -> Option<Entry> {
        let dir = self.entry_dir(kind, fp);
        let listing: Vec<EntryFile> =
            serde_json::from_slice(&fs::read(dir.join(ENTRY)).ok()?).ok()?;
        let mut files = Vec::with_capacity(listing.len());
        for f in listing {
            let file = dir.join(&f.path);
            let intact = fs::metadata(&file)
                .ok()
                .is_some_and(|m| m.len() == f.size && modified(&m) == Some(f.modified));
            let route = Route::parse(&f.path);
            match route {
                Some(route) if intact => files.push(Cached {
                    route,
                    file,
                    sha256: f.sha256,
                    size: f.size,
                }),
                // Changed behind the cache's back (an edit in the site, whose files share
                // their bytes with the entry): never serve it.
                _ => {
                    let _ = self.remove(&dir);
                    return None;
                }
            }
        }
        let text = fs::read_to_string(dir.join(TEXT)).ok();
        self.keep(&format!("{kind}/{fp}"));
        Some(Entry { files, text })
    }

    /// Stores `outputs` as entry `fp` of `kind`, with the text a reader finds in them when it is
    /// not the bytes themselves (a PDF's), and returns the entry.
    pub fn put(
        &self,
        kind: &str,
        fp: &str,
        outputs: &[Output],
        text: Option<&str>,
    ) -> Result<Entry> {
        let tmp = self.temporary();
        let result = self.write_entry(&tmp, kind, fp, outputs, text);
        if result.is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        result
    }

    /// A fresh folder under `tmp/`, this process's own.
    fn temporary(&self) -> PathBuf {
        let n = self.temporaries.fetch_add(1, Ordering::Relaxed);
        self.dir
            .join(TMP)
            .join(format!("{}-{n}", std::process::id()))
    }

    /// Removes an entry: moved out of the way first, so that it is never found half there.
    fn remove(&self, dir: &Path) -> Result<()> {
        let gone = self.temporary();
        fs::create_dir_all(gone.parent().expect("under tmp/"))?;
        fs::rename(dir, &gone)
            .and_then(|()| fs::remove_dir_all(&gone))
            .with_context(|| format!("failed to remove `{}`", dir.display()))
    }

    fn write_entry(
        &self,
        tmp: &Path,
        kind: &str,
        fp: &str,
        outputs: &[Output],
        text: Option<&str>,
    ) -> Result<Entry> {
        let mut listing = Vec::with_capacity(outputs.len());
        for o in outputs {
            let path = o.route.path();
            let file = tmp.join(&path);
            if let Some(parent) = file.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("failed to create `{}`", parent.display()))?;
            }
            fs::write(&file, &o.bytes)
                .with_context(|| format!("failed to write `{}`", file.display()))?;
            let meta = fs::metadata(&file)?;
            listing.push(EntryFile {
                path,
                sha256: sha256(&o.bytes),
                size: meta.len(),
                modified: modified(&meta).unwrap_or_default(),
            });
        }
        if let Some(text) = text {
            fs::write(tmp.join(TEXT), text)?;
        }
        fs::write(tmp.join(ENTRY), serde_json::to_vec(&listing)?)?;
        let dir = self.entry_dir(kind, fp);
        fs::create_dir_all(dir.parent().expect("entries sit in a folder"))?;
        if dir.exists() {
            // Whatever stands there was not found intact (a killed removal): ours replaces it.
            self.remove(&dir)?;
        }
        fs::rename(tmp, &dir).with_context(|| format!("failed to store `{}`", dir.display()))?;
        self.keep(&format!("{kind}/{fp}"));
        let files = listing
            .into_iter()
            .zip(outputs)
            .map(|(f, o)| Cached {
                route: o.route.clone(),
                file: dir.join(&f.path),
                sha256: f.sha256,
                size: f.size,
            })
            .collect();
        Ok(Entry {
            files,
            text: text.map(str::to_string),
        })
    }

    /// Marks an entry (`kind/fp`) as still in use: a school the build keeps as it was.
    pub fn keep(&self, entry: &str) {
        self.used
            .lock()
            .expect("not poisoned")
            .insert(entry.to_string());
    }

    /// Removes every entry of `kinds` that this build neither used nor made, and any temporary
    /// leftovers. Returns how many entries went.
    pub fn prune(&self, kinds: &[&str]) -> Result<usize> {
        let used = self.used.lock().expect("not poisoned").clone();
        let mut removed = 0;
        for kind in kinds {
            let dir = self.dir.join(kind);
            if !dir.is_dir() {
                continue;
            }
            for shard in read_dirs(&dir)? {
                for entry in read_dirs(&shard)? {
                    let name = entry.file_name().unwrap_or_default().to_string_lossy();
                    if !used.contains(&format!("{kind}/{name}")) {
                        self.remove(&entry)?;
                        removed += 1;
                    }
                }
                let _ = fs::remove_dir(&shard);
            }
        }
        let _ = fs::remove_dir_all(self.dir.join(TMP));
        Ok(removed)
    }
}

fn read_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(files::children(dir)?
        .into_iter()
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect())
}

fn modified(meta: &fs::Metadata) -> Option<u128> {
    meta.modified()
        .ok()?
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::hash::Fingerprint;

    #[test]
    fn an_entry_is_stored_found_and_pruned_when_unused() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path()).unwrap();
        let fp = Fingerprint::new("test").finish();
        let entry = cache
            .put(
                "pdfs",
                &fp,
                &[Output::at("schools/a/draft/plan.pdf", "%PDF-1")],
                Some("計畫"),
            )
            .unwrap();
        assert_eq!(entry.files[0].sha256, sha256(b"%PDF-1"));
        let again = Cache::open(tmp.path()).unwrap();
        let found = again.get("pdfs", &fp).expect("the entry is there");
        assert_eq!(fs::read(&found.files[0].file).unwrap(), b"%PDF-1");
        assert_eq!(found.text.as_deref(), Some("計畫"));
        assert_eq!(
            again.prune(&["pages", "pdfs"]).unwrap(),
            0,
            "a used entry stays"
        );
        let third = Cache::open(tmp.path()).unwrap();
        assert_eq!(
            third.prune(&["pages"]).unwrap(),
            0,
            "a build without PDFs keeps them"
        );
        assert_eq!(
            third.prune(&["pages", "pdfs"]).unwrap(),
            1,
            "an unused one goes"
        );
        assert!(third.get("pdfs", &fp).is_none());
    }

    #[test]
    fn a_file_changed_behind_the_cache_is_never_served() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path()).unwrap();
        let fp = Fingerprint::new("test").finish();
        let files = cache
            .put("pages", &fp, &[Output::at("index.html", "good")], None)
            .unwrap()
            .files;
        fs::write(&files[0].file, "edited in place").unwrap();
        assert!(cache.get("pages", &fp).is_none());
    }

    #[test]
    fn a_half_removed_entry_is_replaced_and_a_foreign_folder_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path()).unwrap();
        let fp = Fingerprint::new("test").finish();
        let files = cache
            .put("pages", &fp, &[Output::at("index.html", "v1")], None)
            .unwrap()
            .files;
        // As if a removal was killed after the listing went.
        let entry = files[0].file.parent().unwrap().to_path_buf();
        fs::remove_file(entry.join(ENTRY)).unwrap();
        assert!(cache.get("pages", &fp).is_none());
        let again = cache
            .put("pages", &fp, &[Output::at("index.html", "v2")], None)
            .unwrap();
        assert_eq!(fs::read(&again.files[0].file).unwrap(), b"v2");
        assert!(cache.get("pages", &fp).is_some());

        let foreign = tmp.path().join("mine");
        fs::create_dir_all(foreign.join("tmp")).unwrap();
        let err = Cache::open(&foreign).err().expect("refused").to_string();
        assert!(err.contains("not a planpress cache"), "{err}");
        assert!(foreign.join("tmp").is_dir());
    }
}
