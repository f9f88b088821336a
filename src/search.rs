//! The site's search index, made by Pagefind from the finished site's pages: each school's
//! plan at its address, its forms and the shared documents, results grouped by school. Pagefind
//! segments Chinese text into words (and indexes every pair of characters), and its index is
//! static files that the search page queries in the browser: any static host serves it.
//!
//! The index is made from pages already in the site, so it holds nothing a page does not: in
//! the public copy, no value the schema marks sensitive.

use anyhow::{Context as _, Result};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

use crate::base::hash::Fingerprint;
use crate::base::program::build_identity;
use crate::base::routes::Output;
use crate::base::routes::Route;
use crate::cache::Cache;
use crate::output::SiteWriter;

/// Pagefind's files for the search page to load; its own ready-made interfaces are left out,
/// as the theme has its own page, and so is its worker, which that page does not use.
fn wanted(file: &str) -> bool {
    ![
        "pagefind-ui",
        "pagefind-modular-ui",
        "pagefind-component-ui",
        "pagefind-highlight",
        "pagefind-worker",
    ]
    .iter()
    .any(|ui| file.starts_with(ui))
}

/// Schools per bundle of the index. Pagefind holds a bundle's pages in memory while it indexes
/// them (about 5 MB a plan), so the county is indexed a few bundles at a time and the search
/// page merges the bundles: memory stays that of a few bundles whatever the county's size,
/// and a school's edit indexes its bundle again, not the county.
pub const BUNDLE_SCHOOLS: usize = 12;

/// How many bundles are indexed at once.
const BUNDLES_AT_ONCE: usize = 2;

/// The searched pages cut into bundles: the shared documents with the first schools, then
/// [`BUNDLE_SCHOOLS`] schools a bundle, in the site's order.
pub fn bundles<T>(pages: Vec<(Route, T)>) -> Vec<Vec<(Route, T)>> {
    let mut bundles: Vec<Vec<(Route, T)>> = Vec::new();
    let mut schools = 0;
    let mut last: Option<String> = None;
    for (route, page) in pages {
        let school = route.school().map(str::to_string);
        if school.is_some() && school != last {
            if schools > 0 && schools % BUNDLE_SCHOOLS == 0 {
                bundles.push(Vec::new());
            }
            schools += 1;
            last = school;
        }
        if bundles.is_empty() {
            bundles.push(Vec::new());
        }
        bundles
            .last_mut()
            .expect("one bundle at least")
            .push((route, page));
    }
    bundles
}

/// The list of bundles the search page merges (`pagefind/bundles.json`).
pub fn bundle_list(count: usize) -> Output {
    let names: Vec<String> = (0..count).map(|n| format!("{n}/")).collect();
    Output {
        route: Route::SearchIndex("bundles.json".into()),
        bytes: serde_json::to_vec(&names).expect("plain data"),
    }
}

/// Bundle `n` of the index over `pages` (route and HTML), under `pagefind/<n>/`, in the site's
/// order so that the same site gives the same files. Each page marks its searched text and its
/// school (see the theme's `base.html`).
pub fn index(
    n: usize,
    pages: impl IntoIterator<Item = Result<(Route, Vec<u8>)>>,
) -> Result<(Vec<Output>, usize)> {
    // Pagefind is async; a runtime on this thread is all it needs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the search indexer")?;
    runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            // Every page is zh-Hant-TW: one index, segmented as Chinese.
            .force_language("zh-hant-tw".to_string())
            .build();
        let mut index = PagefindIndex::new(Some(config))?;
        let mut count = 0;
        for page in pages {
            let (route, html) = page?;
            let html = String::from_utf8(html).context("a page is not UTF-8")?;
            index
                .add_html_file(None, Some(format!("/{}", route.canonical())), html)
                .await
                .with_context(|| format!("failed to index `{}`", route.path()))?;
            count += 1;
        }
        let files = index.get_files().await?;
        let outputs = files
            .into_iter()
            .filter_map(|f| {
                let name = f.filename.to_string_lossy().replace('\\', "/");
                wanted(&name).then_some(Output {
                    route: Route::SearchIndex(format!("{n}/{name}")),
                    bytes: f.contents,
                })
            })
            .collect();
        Ok((outputs, count))
    })
}

/// The cache's kind of the search index's bundles.
pub const CACHE_KIND: &str = "search";

/// The search index over the searched pages the site holds, a bundle of schools at a time
/// ([`bundles`]); a bundle is made again only when one of its pages changed (indexing
/// takes seconds for a county). Returns how many pages it covers, and how many of its bundles
/// were reused.
pub fn write_index(writer: &SiteWriter, cache: &Cache) -> Result<(usize, usize)> {
    let searched: Vec<(Route, String)> = writer
        .hashes()
        .into_iter()
        .filter_map(|(path, sha)| Some((Route::parse(&path)?, sha)))
        .filter(|(route, _)| route.is_searched())
        .collect();
    let pages = searched.len();
    let bundles = bundles(searched);
    // Bundles are independent: two are indexed at once, each in its own memory (about 100 MB),
    // so that the peak does not grow with the machine's cores either.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(BUNDLES_AT_ONCE)
        .build()
        .context("failed to start the search indexer's threads")?;
    let reused: Vec<bool> = pool.install(|| {
        bundles
            .par_iter()
            .enumerate()
            .map(|(n, bundle)| write_bundle(writer, cache, n, bundle))
            .collect::<Result<_>>()
    })?;
    writer.write(&[bundle_list(bundles.len())])?;
    Ok((pages, reused.iter().filter(|r| **r).count()))
}

/// Bundle `n` into the site, from the cache when none of its pages changed (then `true`).
fn write_bundle(
    writer: &SiteWriter,
    cache: &Cache,
    n: usize,
    bundle: &[(Route, String)],
) -> Result<bool> {
    let mut fp = Fingerprint::new(CACHE_KIND);
    fp.add(build_identity().as_bytes()).add(&n.to_le_bytes());
    for (route, sha) in bundle {
        fp.add(route.path().as_bytes()).add(sha.as_bytes());
    }
    let fp = fp.finish();
    if let Some(entry) = cache.get(CACHE_KIND, &fp) {
        writer.reuse(&entry.files)?;
        return Ok(true);
    }
    let pages = bundle
        .iter()
        .map(|(route, _)| Ok((route.clone(), writer.read(&route.path())?)));
    let (index, _) = index(n, pages)?;
    match cache.put(CACHE_KIND, &fp, &index, None) {
        Ok(entry) => writer.reuse(&entry.files)?,
        // The cache is a help, not a need.
        Err(_) => writer.write(&index)?,
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_hold_whole_schools_and_the_documents_go_first() {
        let form = |s: &str| Route::Form {
            school: s.into(),
            slug: "team".into(),
        };
        let mut pages = vec![(Route::Doc("procedure".into()), ())];
        let ids: Vec<String> = (0..BUNDLE_SCHOOLS * 2 + 1)
            .map(|i| format!("s{i:02}"))
            .collect();
        for id in &ids {
            pages.push((Route::Home(id.clone()), ()));
            pages.push((form(id), ()));
        }
        let bundles = bundles(pages);
        assert_eq!(bundles.len(), 3);
        assert_eq!(bundles[0].len(), 1 + 2 * BUNDLE_SCHOOLS);
        assert_eq!(bundles[1].len(), 2 * BUNDLE_SCHOOLS);
        assert_eq!(bundles[2].len(), 2);
        assert_eq!(
            bundles[2][0].0,
            Route::Home(ids[2 * BUNDLE_SCHOOLS].clone())
        );
    }

    fn page(group: &str, body: &str) -> Vec<u8> {
        format!(
            "<!DOCTYPE html><html lang=\"zh-Hant-TW\"><body><header>導覽列</header>\
             <main data-pagefind-body data-pagefind-filter=\"school:{group}\">\
             <h1>計畫</h1><p>{body}</p></main></body></html>"
        )
        .into_bytes()
    }

    #[test]
    fn the_index_is_the_same_for_the_same_pages_and_leaves_the_ready_made_interfaces_out() {
        let pages = || {
            vec![
                Ok((
                    Route::Home("a".into()),
                    page("甲校", "本校使用校務行政系統。"),
                )),
                Ok((
                    Route::Home("b".into()),
                    page("乙校", "本校使用圖書館管理系統。"),
                )),
            ]
        };
        let (first, count) = index(0, pages()).unwrap();
        let (again, _) = index(0, pages()).unwrap();
        assert_eq!(count, 2);
        assert_eq!(first.len(), again.len());
        for (a, b) in first.iter().zip(&again) {
            assert_eq!(a.route, b.route);
            assert!(a.bytes == b.bytes, "{:?} differs", a.route);
        }
        let names: Vec<String> = first.iter().map(|o| o.route.path()).collect();
        assert!(
            names.contains(&"pagefind/0/pagefind.js".to_string()),
            "{names:?}"
        );
        assert!(names.iter().any(|n| n.starts_with("pagefind/0/fragment/")));
        assert!(
            !names
                .iter()
                .any(|n| n.contains("-ui") || n.contains("worker")),
            "{names:?}"
        );
    }
}
