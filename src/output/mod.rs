//! The output stage: the site written into a staging folder and swapped in whole, with a manifest
//! of every file planpress wrote (path, SHA-256, size).
//!
//! planpress owns its output folder and nothing else: `--out` must be absent, empty, or a site
//! whose manifest lists every file in it. The county repository or one of its own folders
//! (`schools/`, `plan/` …), the current folder, a home folder or a folder holding anyone else's
//! files is refused before anything is touched; a site of its own inside the repository
//! (`public/`, as `planpress init` sets up) is not. Beside the site, `.<name>.planpress/` holds the lock that keeps two builds apart, the
//! staging folder and, by default, the cache. A build that fails or is killed never leaves a
//! half-written site: the next build puts the previous site back if need be and clears what the
//! killed one left.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::base::hash::sha256;
use crate::base::routes::Output;
use crate::base::routes::{self, Route};
use crate::cache::Cached;
use crate::model::Profile;
use ownership::{check_ownership, recover, refuse_foreign_places};

mod ownership;

/// The list of files planpress wrote, at the root of every site it builds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    /// Which copy the site is: a public site and an internal one never share a folder. Sites
    /// from before the internal copy existed are public.
    #[serde(default)]
    pub profile: Profile,
    pub files: BTreeMap<String, FileEntry>,
    /// The fingerprints of each school's outputs, so that a later build can keep them.
    pub schools: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    pub fn read(site: &Path) -> Result<Option<Manifest>> {
        let file = site.join(Route::Manifest.path());
        if !file.is_file() {
            return Ok(None);
        }
        let bytes =
            fs::read(&file).with_context(|| format!("failed to read `{}`", file.display()))?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .with_context(|| format!("`{}` is not a planpress manifest", file.display()))?;
        // Every path it lists stays inside the site, whoever edited it.
        if let Some(bad) = manifest.files.keys().find(|p| !routes::is_clean(p)) {
            bail!(
                "`{}` is not a planpress manifest: it lists `{bad}`, a path outside the site",
                file.display()
            );
        }
        Ok(Some(manifest))
    }
}

/// How a build's files reached the site.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteCounts {
    /// Files whose bytes were made by this build.
    pub written: usize,
    /// Files reused from the cache.
    pub reused: usize,
    /// Files kept from the previous site (schools not rebuilt this time).
    pub kept: usize,
}

/// A school's files as the previous site has them.
pub struct KeptSchool {
    pub id: String,
    pub files: Vec<KeptFile>,
    /// The fingerprints they were made from (`pages/…`, `pdfs/…`).
    pub fingerprints: Vec<String>,
}

pub struct KeptFile {
    /// The path in the site, and the file in the previous site.
    pub path: String,
    pub file: PathBuf,
    entry: FileEntry,
}

/// A site being written. Dropped without [`SiteWriter::finish`], it removes its staging folder
/// and leaves the previous site as it was.
pub struct SiteWriter {
    profile: Profile,
    out: PathBuf,
    work: PathBuf,
    staging: PathBuf,
    previous: Option<Manifest>,
    files: Mutex<BTreeMap<String, FileEntry>>,
    schools: Mutex<BTreeMap<String, Vec<String>>>,
    written: AtomicUsize,
    reused: AtomicUsize,
    kept: AtomicUsize,
    finished: bool,
    // Held until the writer is dropped: a second build of the same site is refused meanwhile.
    _lock: File,
}

/// An internal copy never replaces a public site, nor the other way round.
fn refuse_other_copy(out: &Path, previous: Option<&Manifest>, profile: Profile) -> Result<()> {
    match previous {
        Some(m) if m.profile != profile => bail!(
            "refusing to write the {} copy into `{}`: it holds the {} copy. Each copy goes to a \
             folder of its own (by default `public` and `internal`); nothing was changed",
            profile.as_str(),
            out.display(),
            m.profile.as_str()
        ),
        _ => Ok(()),
    }
}

/// The folder beside `out` where planpress keeps its lock, staging and cache.
pub fn work_dir(out: &Path) -> Result<PathBuf> {
    let name = out
        .file_name()
        .with_context(|| format!("`{}` is not a folder name", out.display()))?
        .to_string_lossy();
    Ok(parent(out).join(format!(".{name}.planpress")))
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl SiteWriter {
    /// Checks that `out` may be written (see the module), takes the site's lock, clears what
    /// killed builds left and opens a staging folder. `root` is the county repository.
    pub fn begin(out: &Path, root: &Path, profile: Profile) -> Result<SiteWriter> {
        refuse_foreign_places(out, root)?;
        // Refused before anything is created, when the folder is there to look at.
        refuse_other_copy(out, check_ownership(out)?.as_ref(), profile)?;
        let work = work_dir(out)?;
        fs::create_dir_all(&work)
            .with_context(|| format!("failed to create `{}`", work.display()))?;
        let lock_file = work.join("lock");
        let lock = File::create(&lock_file)
            .with_context(|| format!("failed to create `{}`", lock_file.display()))?;
        if lock.try_lock().is_err() {
            bail!(
                "another planpress build is writing `{}`; try again when it is done",
                out.display()
            );
        }
        recover(out, &work)?;
        // Again: the previous site may have just been put back.
        let previous = check_ownership(out)?;
        refuse_other_copy(out, previous.as_ref(), profile)?;
        let staging = work.join(format!("staging-{}", std::process::id()));
        fs::create_dir_all(&staging)
            .with_context(|| format!("failed to create `{}`", staging.display()))?;
        Ok(SiteWriter {
            profile,
            out: out.to_path_buf(),
            work,
            staging,
            previous,
            files: Mutex::new(BTreeMap::new()),
            schools: Mutex::new(BTreeMap::new()),
            written: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
            finished: false,
            _lock: lock,
        })
    }

    /// The folder of the default cache.
    pub fn work(&self) -> &Path {
        &self.work
    }

    /// The manifest of the site being replaced, if there is one.
    pub fn previous(&self) -> Option<&Manifest> {
        self.previous.as_ref()
    }

    /// Writes files made by this build.
    pub fn write(&self, outputs: &[Output]) -> Result<()> {
        for o in outputs {
            let path = o.route.path();
            let file = self.target(&path)?;
            fs::write(&file, &o.bytes)
                .with_context(|| format!("failed to write `{}`", file.display()))?;
            self.record(
                path,
                FileEntry {
                    sha256: sha256(&o.bytes),
                    size: o.bytes.len() as u64,
                },
            );
        }
        self.written.fetch_add(outputs.len(), Ordering::Relaxed);
        Ok(())
    }

    /// Puts files of the cache into the site: hard links where the file system allows, copies
    /// elsewhere.
    pub fn reuse(&self, files: &[Cached]) -> Result<()> {
        for f in files {
            let path = f.route.path();
            link_or_copy(&f.file, &self.target(&path)?)?;
            self.record(
                path,
                FileEntry {
                    sha256: f.sha256.clone(),
                    size: f.size,
                },
            );
        }
        self.reused.fetch_add(files.len(), Ordering::Relaxed);
        Ok(())
    }

    /// A school's files in the previous site that are still there, to be carried over with
    /// [`SiteWriter::keep`]; `None` when the previous site has no page of the school.
    pub fn previous_school(&self, id: &str) -> Option<KeptSchool> {
        let previous = self.previous.as_ref()?;
        let prefix = routes::school_dir(id);
        let files: Vec<KeptFile> = previous
            .files
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
            .map(|(path, entry)| KeptFile {
                path: path.clone(),
                file: self.out.join(path),
                entry: entry.clone(),
            })
            // Deleted by hand since: the school keeps what is left of it.
            .filter(|f| f.file.is_file())
            .collect();
        (!files.is_empty()).then(|| KeptSchool {
            id: id.to_string(),
            files,
            fingerprints: previous.schools.get(id).cloned().unwrap_or_default(),
        })
    }

    /// Carries a school's files over from the previous site unchanged.
    pub fn keep(&self, school: &KeptSchool) -> Result<()> {
        for f in &school.files {
            link_or_copy(&f.file, &self.target(&f.path)?)?;
            self.record(f.path.clone(), f.entry.clone());
        }
        self.kept.fetch_add(school.files.len(), Ordering::Relaxed);
        self.record_school(&school.id, school.fingerprints.clone());
        Ok(())
    }

    /// Notes the fingerprints of a school's outputs in the manifest.
    pub fn record_school(&self, id: &str, fingerprints: Vec<String>) {
        self.schools
            .lock()
            .expect("not poisoned")
            .insert(id.to_string(), fingerprints);
    }

    /// The files the new site holds so far: their paths and SHA-256, in path order.
    pub fn hashes(&self) -> Vec<(String, String)> {
        let files = self.files.lock().expect("not poisoned");
        files
            .iter()
            .map(|(path, entry)| (path.clone(), entry.sha256.clone()))
            .collect()
    }

    /// A file of the new site, as written into it.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        let file = self.staging.join(path);
        fs::read(&file).with_context(|| format!("failed to read `{}`", file.display()))
    }

    fn target(&self, path: &str) -> Result<PathBuf> {
        let file = self.staging.join(path);
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir)
                .with_context(|| format!("failed to create `{}`", dir.display()))?;
        }
        Ok(file)
    }

    fn record(&self, path: String, entry: FileEntry) {
        self.files.lock().expect("not poisoned").insert(path, entry);
    }

    /// Writes the manifest and swaps the new site in for the previous one.
    pub fn finish(mut self) -> Result<WriteCounts> {
        let manifest = Manifest {
            generator: format!("planpress {}", env!("CARGO_PKG_VERSION")),
            profile: self.profile,
            files: std::mem::take(&mut *self.files.lock().expect("not poisoned")),
            schools: std::mem::take(&mut *self.schools.lock().expect("not poisoned")),
        };
        let file = self.staging.join(Route::Manifest.path());
        fs::write(&file, serde_json::to_vec_pretty(&manifest)?)
            .with_context(|| format!("failed to write `{}`", file.display()))?;
        let old = self.work.join(format!("old-{}", std::process::id()));
        if self.out.exists() {
            fs::rename(&self.out, &old).with_context(|| {
                format!(
                    "failed to move the previous site `{}` aside",
                    self.out.display()
                )
            })?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.out) {
            // Put the previous site back rather than leave nothing.
            let _ = fs::rename(&old, &self.out);
            return Err(e).with_context(|| {
                format!("failed to move the new site into `{}`", self.out.display())
            });
        }
        self.finished = true;
        let _ = fs::remove_dir_all(&old);
        Ok(WriteCounts {
            written: self.written.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
            kept: self.kept.load(Ordering::Relaxed),
        })
    }
}

impl Drop for SiteWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("failed to copy `{}` to `{}`", from.display(), to.display()))
}

/// Writes files below `dir` as they are, beside whatever is there (`--emit-typst`).
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    for (path, bytes) in files {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        fs::write(&file, bytes).with_context(|| format!("failed to write `{}`", file.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(tmp: &Path) -> (PathBuf, PathBuf) {
        let root = tmp.join("county");
        fs::create_dir_all(&root).unwrap();
        (root, tmp.join("public"))
    }

    #[test]
    fn replaces_the_site_whole_and_keeps_schools_it_is_told_to() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, out) = site(tmp.path());
        let w = SiteWriter::begin(&out, &root, Profile::Public).unwrap();
        w.write(&[
            Output::at("index.html", "v1"),
            Output::at("schools/a/index.html", "a1"),
            Output::at("schools/b/index.html", "b1"),
        ])
        .unwrap();
        w.finish().unwrap();

        let w = SiteWriter::begin(&out, &root, Profile::Public).unwrap();
        w.write(&[
            Output::at("index.html", "v2"),
            Output::at("schools/b/index.html", "b2"),
        ])
        .unwrap();
        let a = w.previous_school("a").unwrap();
        assert_eq!(a.files.len(), 1);
        assert!(w.previous_school("c").is_none());
        w.keep(&a).unwrap();
        let counts = w.finish().unwrap();
        assert_eq!(
            counts,
            WriteCounts {
                written: 2,
                reused: 0,
                kept: 1
            }
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "v2");
        assert_eq!(
            fs::read_to_string(out.join("schools/a/index.html")).unwrap(),
            "a1"
        );
        let manifest = Manifest::read(&out).unwrap().unwrap();
        assert_eq!(manifest.files.len(), 3);
        assert_eq!(manifest.files["schools/b/index.html"].sha256, sha256(b"b2"));
        let beside: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(beside.len(), 3, "county, public and the work folder");
        let work: Vec<_> = fs::read_dir(work_dir(&out).unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(work, ["lock"], "no staging or old folder is left behind");
    }

    #[test]
    fn a_folder_with_files_planpress_did_not_write_is_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, out) = site(tmp.path());
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("CNAME"), "plans.example.tw").unwrap();
        let err = SiteWriter::begin(&out, &root, Profile::Public)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("`CNAME`"), "{err}");
        assert_eq!(fs::read_dir(&out).unwrap().count(), 1);

        // A site of planpress's own with a file added by hand is refused too.
        fs::remove_file(out.join("CNAME")).unwrap();
        let w = SiteWriter::begin(&out, &root, Profile::Public).unwrap();
        w.write(&[Output::at("index.html", "v1")]).unwrap();
        w.finish().unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = SiteWriter::begin(&out, &root, Profile::Public)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("`notes.txt`"), "{err}");
        assert!(out.join("notes.txt").is_file());
    }

    #[test]
    fn the_repository_and_its_own_folders_are_refused_a_site_inside_it_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, _) = site(tmp.path());
        for (out, why) in [
            (root.clone(), "holds the county repository"),
            (tmp.path().to_path_buf(), "holds the county repository"),
            (root.join("schools"), "is the county's own `schools`"),
            (root.join("plan/site"), "is the county's own `plan`"),
        ] {
            let err = SiteWriter::begin(&out, &root, Profile::Public)
                .err()
                .expect("refused")
                .to_string();
            assert!(err.contains(why), "{out:?}: {err}");
        }
        let inside = root.join("public");
        let w = SiteWriter::begin(&inside, &root, Profile::Public).unwrap();
        w.write(&[Output::at("index.html", "v1")]).unwrap();
        w.finish().unwrap();
        // Built again over its own site.
        let w = SiteWriter::begin(&inside, &root, Profile::Public).unwrap();
        w.write(&[Output::at("index.html", "v2")]).unwrap();
        w.finish().unwrap();
        assert_eq!(fs::read_to_string(inside.join("index.html")).unwrap(), "v2");
    }

    #[test]
    fn a_killed_swap_is_undone_and_leftovers_cleared() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, out) = site(tmp.path());
        let w = SiteWriter::begin(&out, &root, Profile::Public).unwrap();
        w.write(&[Output::at("index.html", "good")]).unwrap();
        w.finish().unwrap();
        // As if a build was killed between moving the site aside and moving its own in.
        let work = work_dir(&out).unwrap();
        fs::rename(&out, work.join("old-999999")).unwrap();
        fs::create_dir_all(work.join("staging-999998/schools")).unwrap();
        fs::create_dir_all(tmp.path().join(".public.staging-42")).unwrap();
        fs::create_dir_all(tmp.path().join(".public.old-41")).unwrap();
        let w = SiteWriter::begin(&out, &root, Profile::Public).unwrap();
        assert!(w.previous().is_some(), "the previous site is back");
        drop(w);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "good");
        let work_files: Vec<_> = fs::read_dir(&work).unwrap().collect();
        assert_eq!(work_files.len(), 1, "only the lock is left");
        assert!(!tmp.path().join(".public.staging-42").exists());
        assert!(!tmp.path().join(".public.old-41").exists());
    }

    #[test]
    fn a_site_an_earlier_version_left_aside_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, out) = site(tmp.path());
        let old = tmp.path().join(".public.old-77");
        fs::create_dir_all(&old).unwrap();
        fs::write(old.join("index.html"), "the last good site").unwrap();
        // Put back, and then refused as it has no manifest: nothing is lost, nothing replaced.
        let err = SiteWriter::begin(&out, &root, Profile::Public)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no manifest"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("index.html")).unwrap(),
            "the last good site"
        );
        assert!(!old.exists());
    }
}
