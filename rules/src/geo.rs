//! Countries and where they are: ISO 3166-1 alpha-2 codes, and one reference point per country
//! (its capital, from GeoNames via `rules/data/countries.tsv`) for travel plausibility, as
//! carriers' signalling firewalls do in their time-distance checks.

use core::fmt;
use std::collections::HashMap;

/// An ISO 3166-1 alpha-2 country code (`US`, `BB`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(pub [u8; 2]);

impl Country {
    /// From two ASCII letters, upper-cased; `None` otherwise.
    pub fn parse(s: &str) -> Option<Country> {
        let b = s.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Some(Country([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
            ]))
        } else {
            None
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

/// A point on the Earth, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// Latitude.
    pub(crate) lat: f64,
    /// Longitude.
    pub(crate) lon: f64,
}

impl Point {
    /// Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
    pub(crate) fn distance_km(&self, other: &Point) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6371.0 * a.sqrt().atan2((1.0 - a).sqrt())
    }
}

/// One country of `countries.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CountryInfo {
    /// Its code.
    pub(crate) code: Country,
    /// Its English name.
    pub(crate) name: String,
    /// The reference point's place name (the capital, else the largest city).
    pub(crate) place: String,
    /// The reference point.
    pub(crate) point: Point,
}

/// Every country with a reference point.
#[derive(Debug, Clone, Default)]
pub(crate) struct Geography {
    countries: HashMap<Country, CountryInfo>,
}

const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");

impl Geography {
    /// The built-in table (`rules/data/countries.tsv`).
    pub(crate) fn builtin() -> Geography {
        let mut countries = HashMap::new();
        for line in COUNTRIES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 7 {
                continue;
            }
            let (Some(code), Ok(lat), Ok(lon)) = (Country::parse(f[0]), f[5].parse(), f[6].parse())
            else {
                continue;
            };
            countries.insert(
                code,
                CountryInfo {
                    code,
                    name: f[1].to_owned(),
                    place: f[3].to_owned(),
                    point: Point { lat, lon },
                },
            );
        }
        Geography { countries }
    }

    /// A country's entry.
    pub(crate) fn get(&self, c: Country) -> Option<&CountryInfo> {
        self.countries.get(&c)
    }

    /// Whether the code names a known country.
    pub(crate) fn contains(&self, c: Country) -> bool {
        self.countries.contains_key(&c)
    }

    /// Distance between two countries' reference points.
    pub(crate) fn distance_km(&self, a: Country, b: Country) -> Option<f64> {
        Some(self.get(a)?.point.distance_km(&self.get(b)?.point))
    }

    /// Countries known.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.countries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_with_reference_points() {
        let g = Geography::builtin();
        assert!(g.len() > 230, "{}", g.len());
        let us = g.get(Country::parse("us").unwrap()).unwrap();
        assert_eq!(us.place, "Washington");
        let bb = g.get(Country::parse("BB").unwrap()).unwrap();
        assert_eq!(bb.place, "Bridgetown");
    }

    #[test]
    fn distances() {
        let g = Geography::builtin();
        let c = |s| Country::parse(s).unwrap();
        // Washington to London is about 5,900 km; Washington to Bridgetown about 3,400 km.
        let us_gb = g.distance_km(c("US"), c("GB")).unwrap();
        assert!((5800.0..6000.0).contains(&us_gb), "{us_gb}");
        let us_bb = g.distance_km(c("US"), c("BB")).unwrap();
        assert!((3300.0..3500.0).contains(&us_bb), "{us_bb}");
        assert_eq!(g.distance_km(c("US"), c("US")), Some(0.0));
        assert!(g.distance_km(c("US"), c("ZZ")).is_none());
    }
}
