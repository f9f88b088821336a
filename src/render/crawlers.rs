//! What the site tells search engines: `robots.txt` (the public copy may be read whole, the
//! internal copy not at all) and `sitemap.xml`, every page's full address. Both are made from
//! the pages the finished site holds, so schools kept from the previous site are listed too.

use std::fmt::Write as _;

use super::html::escape_into;
use crate::base::routes::Output;
use crate::base::routes::Route;
use crate::config::Site;
use crate::model::Profile;

/// `robots.txt`. Crawlers read it only at a host's root: a site published under a sub-path
/// says the same in the host's own.
pub fn robots(site: &Site, profile: Profile, has_sitemap: bool) -> Output {
    let mut text = String::from("User-agent: *\n");
    match profile {
        Profile::Public => {
            text.push_str("Allow: /\n");
            if let Some(address) = has_sitemap.then(|| site.address(&Route::Sitemap)).flatten() {
                let _ = writeln!(text, "Sitemap: {address}");
            }
        }
        Profile::Internal => text.push_str("Disallow: /\n"),
    }
    Output {
        route: Route::Robots,
        bytes: text.into_bytes(),
    }
}

/// `sitemap.xml` over the site's `paths`: every page but the one for missing addresses. The
/// protocol wants full addresses, so there is none while the site's address is unknown, and
/// none of the internal copy, which is never published.
pub fn sitemap<'a>(
    site: &Site,
    profile: Profile,
    paths: impl IntoIterator<Item = &'a str>,
) -> Option<Output> {
    if profile == Profile::Internal {
        return None;
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut any = false;
    for route in paths.into_iter().filter_map(Route::parse) {
        if !route.path().ends_with(".html") || route == Route::NotFound {
            continue;
        }
        let address = site.address(&route)?;
        xml.push_str("<url><loc>");
        escape_into(&address, &mut xml);
        xml.push_str("</loc></url>\n");
        any = true;
    }
    xml.push_str("</urlset>\n");
    any.then(|| Output {
        route: Route::Sitemap,
        bytes: xml.into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(base_url: Option<&str>) -> Site {
        Site {
            title: "縣".into(),
            base_url: base_url.map(str::to_string),
        }
    }

    #[test]
    fn the_sitemap_lists_pages_by_their_full_address_and_nothing_else() {
        let paths = [
            "index.html",
            "404.html",
            "schools/a/index.html",
            "schools/a/draft/plan.pdf",
            "static/style.css",
            "schools/a&b/index.html",
        ];
        let xml = sitemap(
            &site(Some("https://example.tw/isms/")),
            Profile::Public,
            paths,
        )
        .unwrap();
        let xml = String::from_utf8(xml.bytes).unwrap();
        let locs: Vec<&str> = xml
            .split("<loc>")
            .skip(1)
            .map(|s| s.split("</loc>").next().unwrap())
            .collect();
        assert_eq!(
            locs,
            [
                "https://example.tw/isms/",
                "https://example.tw/isms/schools/a/",
                "https://example.tw/isms/schools/a&amp;b/",
            ]
        );
        assert!(sitemap(&site(None), Profile::Public, paths).is_none());
        assert!(sitemap(&site(Some("https://x.tw")), Profile::Internal, paths).is_none());
    }

    #[test]
    fn robots_let_crawlers_read_the_public_copy_only() {
        let base = site(Some("https://example.tw/isms"));
        let public = String::from_utf8(robots(&base, Profile::Public, true).bytes).unwrap();
        assert_eq!(
            public,
            "User-agent: *\nAllow: /\nSitemap: https://example.tw/isms/sitemap.xml\n"
        );
        let internal = String::from_utf8(robots(&base, Profile::Internal, false).bytes).unwrap();
        assert_eq!(internal, "User-agent: *\nDisallow: /\n");
    }
}
