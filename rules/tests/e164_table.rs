//! `rules/data/e164_countries.tsv` is what libphonenumber's metadata says: which country each
//! E.164 country code belongs to and, for codes several regions share (+1, +7, +44, ...), the
//! leading digits of each region. Computing it takes libphonenumber's regular expressions a
//! quarter of a second, so the table is kept in the repository and this test keeps it true.
//!
//! Regenerate after a `phonenumber` upgrade with
//! `SIGWATCH_REGENERATE=1 cargo test -p rules --test e164_table`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use rules::geo::Country;

const TABLE: &str = include_str!("../data/e164_countries.tsv");
const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/e164_countries.tsv");

/// Country codes and the prefixes of the regions that share one, asked of libphonenumber.
fn from_libphonenumber() -> Vec<(String, Country)> {
    let db = &*phonenumber::metadata::DATABASE;
    let mut by_code: HashMap<u16, Vec<&phonenumber::metadata::Metadata>> = HashMap::new();
    for m in db.iter() {
        by_code.entry(m.country_code()).or_default().push(m);
    }
    let mut out = Vec::new();
    let mut codes: Vec<_> = by_code.into_iter().collect();
    codes.sort_by_key(|(c, _)| *c);
    for (code, regions) in codes {
        let cc = code.to_string();
        let main = regions
            .iter()
            .find(|m| m.is_main_country_for_code())
            .or(regions.first())
            .and_then(|m| Country::parse(m.id()));
        if let Some(main) = main {
            out.push((cc.clone(), main));
        }
        if regions.len() < 2 {
            continue;
        }
        // Regions sharing the code: their leading digits, up to three digits deep.
        for m in regions.iter().filter(|m| !m.is_main_country_for_code()) {
            let (Some(country), Some(re)) = (Country::parse(m.id()), m.leading_digits()) else {
                continue;
            };
            let mut covered: Vec<String> = Vec::new();
            for len in 1..=3u32 {
                for n in 0..10u32.pow(len) {
                    let p = format!("{n:0width$}", width = len as usize);
                    if covered.iter().any(|c| p.starts_with(c.as_str())) {
                        continue;
                    }
                    if re
                        .find(&p)
                        .is_some_and(|f| f.start() == 0 && f.end() == p.len())
                    {
                        covered.push(p.clone());
                        out.push((format!("{cc}{p}"), country));
                    }
                }
            }
        }
        // North America: the area code decides, and Canada's area codes have no leading-digit
        // pattern, only validity patterns. Ask libphonenumber about each area code once.
        if code == 1 {
            for npa in 200..1000u32 {
                let Ok(n) = phonenumber::parse(None, format!("+1{npa}2345678")) else {
                    continue;
                };
                if !phonenumber::is_valid(&n) {
                    continue;
                }
                if let Some(c) = n.country().id().and_then(|id| Country::parse(id.as_ref())) {
                    if Some(c) != main {
                        out.push((format!("1{npa}"), c));
                    }
                }
            }
        }
    }
    out
}

fn render(rows: &[(String, Country)]) -> String {
    let mut s = String::from(
        "# E.164 prefix -> ISO 3166 country: country codes, and the leading digits of regions\n\
         # sharing a code. Generated from libphonenumber's metadata (the `phonenumber` crate) by\n\
         # rules/tests/e164_table.rs; do not edit.\n",
    );
    for (p, c) in rows {
        s.push_str(&format!("{p}\t{c}\n"));
    }
    s
}

#[test]
fn the_committed_table_is_what_libphonenumber_says() {
    let mut rows = from_libphonenumber();
    // libphonenumber's database iterates in no fixed order.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let text = render(&rows);
    if std::env::var_os("SIGWATCH_REGENERATE").is_some() {
        std::fs::write(PATH, &text).unwrap();
        return;
    }
    assert!(rows.len() > 250, "{} rows", rows.len());
    assert_eq!(
        TABLE, text,
        "rules/data/e164_countries.tsv is stale: regenerate it (see this file's header)"
    );
    // Spot checks of what the table is for.
    let find = |p: &str| {
        rows.iter()
            .find(|(q, _)| q == p)
            .map(|(_, c)| c.to_string())
    };
    assert_eq!(find("1246").as_deref(), Some("BB"));
    assert_eq!(find("1242").as_deref(), Some("BS"));
    assert_eq!(find("1876").as_deref(), Some("JM"));
    assert_eq!(find("1416").as_deref(), Some("CA"));
    assert_eq!(find("86").as_deref(), Some("CN"));
    assert_eq!(
        find("1206"),
        None,
        "US area codes are the code's main country"
    );
}
