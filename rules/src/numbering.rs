//! Numbering plans: which country and operator an E.164 number (a global title, an MSISDN), an
//! MCC-MNC, or a Diameter realm belongs to.
//!
//! Country codes and the shared codes' regions come from libphonenumber's metadata (through
//! the `phonenumber` crate, tabulated in `rules/data/e164_countries.tsv` and checked against
//! it by a test), so +1-246 is Barbados and +1-242 the Bahamas, not the US. Number ranges to
//! operators come from libphonenumber's carrier data, MCC-MNC to operators from the
//! Wikipedia-derived `mcc-mnc-list` (all in `rules/data/`). The tables are read once per
//! process; lookups then walk a digit trie and take tens of nanoseconds.

use std::sync::OnceLock;

use decoder::{Digits, Plmn};

use crate::geo::Country;

/// An operator known to sigwatch (from the policy file, the MCC-MNC list or the carrier data).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct OperatorId(pub u16);

/// What an operator is to the home network.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Relation {
    /// The carrier running sigwatch.
    Home,
    /// A roaming partner from the policy's directory.
    Partner,
    /// Anyone else.
    Foreign,
}

/// An operator's name and country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// Display name.
    pub name: String,
    /// Its country, when known.
    pub country: Option<Country>,
    /// Home, partner or foreign.
    pub(crate) relation: Relation,
}

/// The most operators a plan can hold.
const MAX_OPERATORS: usize = u16::MAX as usize;

/// A digit trie with longest-prefix lookup of a country and an operator, each independently.
#[derive(Debug, Clone, Default)]
pub(crate) struct DigitTrie {
    children: Vec<[u32; 10]>,
    country: Vec<Option<Country>>,
    operator: Vec<Option<OperatorId>>,
}

const NONE: u32 = 0;

impl DigitTrie {
    fn new() -> Self {
        DigitTrie {
            children: vec![[NONE; 10]],
            country: vec![None],
            operator: vec![None],
        }
    }

    fn node(&mut self, prefix: &[u8]) -> Option<usize> {
        self.node_and_country(prefix).map(|(n, _)| n)
    }

    /// The node of `prefix`, made if need be, and the country of its longest prefix that has
    /// one (what [`DigitTrie::lookup`] of `prefix` says).
    fn node_and_country(&mut self, prefix: &[u8]) -> Option<(usize, Option<Country>)> {
        let (mut n, mut country) = (0usize, self.country[0]);
        for &c in prefix {
            let d = usize::from(c.checked_sub(b'0').filter(|d| *d <= 9)?);
            let next = self.children[n][d];
            n = if next == NONE {
                self.children.push([NONE; 10]);
                self.country.push(None);
                self.operator.push(None);
                let id = self.children.len() - 1;
                self.children[n][d] = id as u32;
                id
            } else {
                next as usize
            };
            country = self.country[n].or(country);
        }
        Some((n, country))
    }

    /// Map numbers starting with `prefix` to `country` (replacing an earlier entry).
    pub(crate) fn set_country(&mut self, prefix: &str, country: Country) {
        if let Some(n) = self.node(prefix.as_bytes()) {
            self.country[n] = Some(country);
        }
    }

    /// Map numbers starting with `prefix` to `operator` (replacing an earlier entry).
    pub(crate) fn set_operator(&mut self, prefix: &str, operator: OperatorId) {
        if let Some(n) = self.node(prefix.as_bytes()) {
            self.operator[n] = Some(operator);
        }
    }

    /// The longest-prefix country and operator of `digits`.
    pub(crate) fn lookup(&self, digits: &[u8]) -> (Option<Country>, Option<OperatorId>) {
        let (mut country, mut operator) = (self.country[0], self.operator[0]);
        let mut n = 0usize;
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            let next = self.children[n][usize::from(d)];
            if next == NONE {
                break;
            }
            n = next as usize;
            country = self.country[n].or(country);
            operator = self.operator[n].or(operator);
        }
        (country, operator)
    }
}

/// Built-in numbering data, computed once per process. The names and prefixes are slices of
/// the tables compiled into the binary: reading them allocates only the maps.
#[derive(Debug)]
pub(crate) struct Builtin {
    /// E.164 prefixes (country code and, for shared codes, leading digits) to countries.
    pub(crate) e164_countries: Vec<(&'static str, Country)>,
    /// E.164 number ranges to operator names.
    pub(crate) e164_carriers: Vec<(&'static str, &'static str)>,
    /// MCC to country (the MCC's main country where several share it).
    pub(crate) mcc_country: FastMap<u16, Country>,
    /// MCC-MNC to operator name and country (an MNC of 2 and of 3 digits are different keys).
    pub(crate) plmn_operator: FastMap<Plmn, (&'static str, Option<Country>)>,
}

const MCC_MNC_TSV: &str = include_str!("../data/mcc_mnc.tsv");
const CARRIERS_TSV: &str = include_str!("../data/e164_carriers.tsv");
const E164_COUNTRIES_TSV: &str = include_str!("../data/e164_countries.tsv");

static BUILTIN: OnceLock<Builtin> = OnceLock::new();

impl Builtin {
    /// The built-in data (computed on first use).
    pub(crate) fn get() -> &'static Builtin {
        BUILTIN.get_or_init(Builtin::compute)
    }

    fn compute() -> Builtin {
        let rows: Vec<MccRow> = mcc_rows().collect();
        let mcc_country = mcc_countries(&rows);
        Builtin {
            e164_countries: e164_countries(),
            e164_carriers: table_rows(CARRIERS_TSV).filter_map(tab_split).collect(),
            plmn_operator: plmn_operators(&rows, &mcc_country),
            mcc_country,
        }
    }
}

/// Country codes and the prefixes of the regions that share one (`data/e164_countries.tsv`,
/// derived from libphonenumber's metadata; `tests/e164_table.rs` keeps it current).
fn e164_countries() -> Vec<(&'static str, Country)> {
    table_rows(E164_COUNTRIES_TSV)
        .filter_map(|l| {
            let (prefix, country) = tab_split(l)?;
            Some((prefix, Country::parse(country)?))
        })
        .collect()
}

/// The rows of a compiled-in table: its lines, less comments (`#`) and empty ones. Split by
/// bytes: `str::lines` sets up a memchr search for every line, which for the carrier table's
/// 28,890 short rows cost more than everything else a process does to start.
fn table_rows(text: &'static str) -> impl Iterator<Item = &'static str> {
    let mut rest = text;
    core::iter::from_fn(move || {
        while !rest.is_empty() {
            // A newline is ASCII: the cut is at a character boundary.
            let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
            let (line, tail) = rest.split_at(end);
            rest = tail.get(1..).unwrap_or_default();
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !line.is_empty() && !line.starts_with('#') {
                return Some(line);
            }
        }
        None
    })
}

/// A row cut at its first tab (by bytes, as [`table_rows`]).
fn tab_split(row: &'static str) -> Option<(&'static str, &'static str)> {
    let i = row.bytes().position(|b| b == b'\t')?;
    Some((&row[..i], &row[i + 1..]))
}

/// One row of `data/mcc_mnc.tsv`.
struct MccRow {
    mcc: u16,
    mnc: &'static str,
    country: Option<Country>,
    operator: &'static str,
    status: &'static str,
}

fn mcc_rows() -> impl Iterator<Item = MccRow> {
    table_rows(MCC_MNC_TSV).filter_map(|l| {
        // MCC, MNC, country, (region), operator, status; further fields are not read.
        let mut f = l.split('\t');
        let (mcc, mnc, country) = (f.next()?, f.next()?, f.next()?);
        let (operator, status) = (f.nth(1)?, f.next()?);
        Some(MccRow {
            mcc: mcc.parse().ok()?,
            mnc,
            country: Country::parse(country),
            operator,
            status,
        })
    })
}

fn mcc_countries(rows: &[MccRow]) -> FastMap<u16, Country> {
    let mut votes: FastMap<u16, FastMap<Country, usize>> = FastMap::default();
    for r in rows {
        if let Some(c) = r.country {
            *votes.entry(r.mcc).or_default().entry(c).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .filter_map(|(mcc, v)| {
            let mut v: Vec<_> = v.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v.first().map(|(c, _)| (mcc, *c))
        })
        .collect()
}

fn plmn_operators(
    rows: &[MccRow],
    mcc_country: &FastMap<u16, Country>,
) -> FastMap<Plmn, (&'static str, Option<Country>)> {
    let mut out: FastMap<Plmn, (&'static str, Option<Country>, u8)> = FastMap::default();
    for r in rows {
        let Ok(mnc_v) = r.mnc.parse::<u16>() else {
            continue;
        };
        if r.operator.is_empty() {
            continue;
        }
        let plmn = Plmn {
            mcc: r.mcc,
            mnc: mnc_v,
            mnc3: r.mnc.len() == 3,
        };
        // Prefer the MCC's own country and operational networks where rows disagree.
        let own = r.country.is_some() && r.country == mcc_country.get(&r.mcc).copied();
        let score = u8::from(own) * 2 + u8::from(r.status == "Operational");
        match out.get(&plmn) {
            Some((_, _, s)) if *s >= score => {}
            _ => {
                out.insert(plmn, (r.operator, r.country, score));
            }
        }
    }
    out.into_iter().map(|(k, (n, c, _))| (k, (n, c))).collect()
}

/// The PLMN a Diameter realm names (`epc.mnc410.mcc310.3gppnetwork.org`, 3GPP TS 23.003
/// §19.2). The realm always has three MNC digits; a two-digit MNC is written with a leading
/// zero, so `mnc001` may be MNC `01` or `001`: both are returned, the two-digit one first.
pub(crate) fn realm_plmn(realm: &[u8]) -> Option<(Plmn, Option<Plmn>)> {
    let (mut mcc, mut mnc) = (None, None);
    for label in realm.split(|&b| b == b'.') {
        let [a, b, c, d0, d1, d2] = *label else {
            continue;
        };
        if !(d0.is_ascii_digit() && d1.is_ascii_digit() && d2.is_ascii_digit()) {
            continue;
        }
        let v = u16::from(d0 - b'0') * 100 + u16::from(d1 - b'0') * 10 + u16::from(d2 - b'0');
        let prefix = [a, b, c];
        if prefix.eq_ignore_ascii_case(b"mcc") {
            mcc = Some(v);
        } else if prefix.eq_ignore_ascii_case(b"mnc") {
            mnc = Some((v, d0 == b'0'));
        }
    }
    let (mcc, (mnc, leading_zero)) = (mcc?, mnc?);
    let three = Plmn {
        mcc,
        mnc,
        mnc3: true,
    };
    if leading_zero {
        Some((
            Plmn {
                mcc,
                mnc,
                mnc3: false,
            },
            Some(three),
        ))
    } else {
        Some((three, None))
    }
}

/// Longer realms are not looked up among the listed ones (only their `mnc`/`mcc` labels are
/// read). RFC 6733 DiameterIdentity is an FQDN: at most 255 octets.
const MAX_REALM: usize = 255;

/// The numbering plan of one policy: built-ins plus the home network and partner directory,
/// which win over built-ins.
#[derive(Debug, Clone)]
pub struct NumberingPlan {
    trie: DigitTrie,
    operators: Vec<Operator>,
    /// Operators by name, then country: a name looked up by reference, without a copy.
    by_name: FastMap<String, Vec<(Option<Country>, OperatorId)>>,
    plmn: FastMap<Plmn, OperatorId>,
    realms: FastMap<String, OperatorId>,
    mcc_country: FastMap<u16, Country>,
}

/// The maps looked up per message hash with foldhash, not SipHash: their keys come from the
/// policy and built-in tables, not from the traffic.
type FastMap<K, V> = foldhash::HashMap<K, V>;

impl NumberingPlan {
    /// The built-in plan, with no home network or partners yet.
    pub(crate) fn builtin() -> NumberingPlan {
        let b = Builtin::get();
        let mut plan = NumberingPlan {
            trie: DigitTrie::new(),
            operators: Vec::new(),
            by_name: FastMap::default(),
            plmn: FastMap::default(),
            realms: FastMap::default(),
            mcc_country: b.mcc_country.clone(),
        };
        for &(p, c) in &b.e164_countries {
            plan.trie.set_country(p, c);
        }
        for &(p, name) in &b.e164_carriers {
            let Some((n, country)) = plan.trie.node_and_country(p.as_bytes()) else {
                continue;
            };
            if let Some(id) = plan.intern(name, country, Relation::Foreign) {
                plan.trie.operator[n] = Some(id);
            }
        }
        let mut rows: Vec<_> = b.plmn_operator.iter().collect();
        rows.sort_by_key(|(p, _)| **p);
        for (plmn, &(name, country)) in rows {
            let country = country.or_else(|| b.mcc_country.get(&plmn.mcc).copied());
            if let Some(id) = plan.intern(name, country, Relation::Foreign) {
                plan.plmn.insert(*plmn, id);
            }
        }
        plan
    }

    fn intern(
        &mut self,
        name: &str,
        country: Option<Country>,
        relation: Relation,
    ) -> Option<OperatorId> {
        let mut known = self.by_name.get(name).into_iter().flatten();
        if let Some(&(_, id)) = known.find(|(c, _)| *c == country) {
            return Some(id);
        }
        if self.operators.len() >= MAX_OPERATORS {
            return None;
        }
        let id = OperatorId(self.operators.len() as u16);
        self.operators.push(Operator {
            name: name.to_owned(),
            country,
            relation,
        });
        self.by_name
            .entry(name.to_owned())
            .or_default()
            .push((country, id));
        Some(id)
    }

    /// Add the home network or a partner: its global-title prefixes, PLMNs and realms now
    /// name it, whatever the built-in data says. Returns its id.
    pub(crate) fn add_network(
        &mut self,
        name: &str,
        country: Country,
        relation: Relation,
        gt_prefixes: &[String],
        plmns: &[Plmn],
        realms: &[String],
    ) -> Option<OperatorId> {
        let id = self.intern(name, Some(country), relation)?;
        if let Some(op) = self.operators.get_mut(usize::from(id.0)) {
            op.relation = relation;
        }
        for p in gt_prefixes {
            self.trie.set_operator(p, id);
            self.trie.set_country(p, country);
        }
        for plmn in plmns {
            self.plmn.insert(*plmn, id);
        }
        for r in realms {
            self.realms.insert(r.to_ascii_lowercase(), id);
        }
        Some(id)
    }

    /// An operator's entry.
    pub fn operator(&self, id: OperatorId) -> Option<&Operator> {
        self.operators.get(usize::from(id.0))
    }

    /// Every operator, indexed by id.
    pub fn operators(&self) -> &[Operator] {
        &self.operators
    }

    /// The operator of a name (as written in the policy or the built-in data), in any country.
    pub fn operator_named(&self, name: &str) -> Option<OperatorId> {
        self.operators
            .iter()
            .position(|o| o.name.eq_ignore_ascii_case(name))
            .map(|i| OperatorId(i as u16))
    }

    /// Country and operator of an E.164 number (a global title or an MSISDN).
    pub(crate) fn e164(&self, digits: &Digits) -> (Option<Country>, Option<OperatorId>) {
        self.trie.lookup(digits.as_bytes())
    }

    /// The country of a mobile country code.
    pub(crate) fn mcc_country(&self, mcc: u16) -> Option<Country> {
        self.mcc_country.get(&mcc).copied()
    }

    /// The operator of a PLMN (partner directory first).
    pub(crate) fn plmn_operator(&self, plmn: Plmn) -> Option<OperatorId> {
        self.plmn.get(&plmn).copied()
    }

    /// The PLMN an IMSI belongs to: the MCC, and the MNC of 3 digits when such a PLMN is known
    /// for the MCC, else of 2 (3GPP TS 23.003 §2.2 leaves the MNC length to the MCC's plan).
    pub(crate) fn imsi_plmn(&self, imsi: &Digits) -> Option<Plmn> {
        let three = Plmn::from_imsi(imsi, 3)?;
        if self.plmn.contains_key(&three) {
            return Some(three);
        }
        let two = Plmn::from_imsi(imsi, 2)?;
        if self.plmn.contains_key(&two) {
            return Some(two);
        }
        // Neither known: North American MCCs (300-316) use three digits, most others two.
        Some(if (300..=316).contains(&three.mcc) {
            three
        } else {
            two
        })
    }

    /// The operator and PLMN of a Diameter realm: an explicit partner or home realm, else the
    /// PLMN the realm's `mncXXX.mccYYY` labels name.
    pub(crate) fn realm(&self, realm: &[u8]) -> (Option<OperatorId>, Option<Plmn>) {
        // Realms are looked up in lower case, copied to the stack (no allocation per message).
        let mut buf = [0u8; MAX_REALM];
        if let Some(lower) = buf.get_mut(..realm.len()) {
            lower.copy_from_slice(realm);
            lower.make_ascii_lowercase();
            if let Ok(lower) = core::str::from_utf8(lower) {
                // The realm itself, or a realm it is a sub-domain of.
                let suffixes = core::iter::once(lower).chain(
                    lower
                        .match_indices('.')
                        .map(|(i, _)| &lower[i + 1..])
                        .filter(|s| !s.is_empty()),
                );
                for s in suffixes {
                    if let Some(&id) = self.realms.get(s) {
                        return (Some(id), realm_plmn(realm).map(|p| p.0));
                    }
                }
            }
        }
        match realm_plmn(realm) {
            Some((p, alt)) => {
                if let Some(id) = self.plmn_operator(p) {
                    return (Some(id), Some(p));
                }
                if let Some(alt) = alt {
                    if let Some(id) = self.plmn_operator(alt) {
                        return (Some(id), Some(alt));
                    }
                }
                (None, Some(p))
            }
            None => (None, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Digits {
        Digits::from_ascii(s).unwrap()
    }

    fn country(p: &NumberingPlan, n: &str) -> String {
        p.e164(&d(n)).0.map(|c| c.to_string()).unwrap_or_default()
    }

    fn operator(p: &NumberingPlan, n: &str) -> String {
        p.e164(&d(n))
            .1
            .and_then(|o| p.operator(o))
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }

    #[test]
    fn table_rows_are_the_lines_less_comments_and_empty_ones() {
        let text = "# header\n1\tA\n\n#1\tcommented\n22\tB b\r\n333\n4\tC";
        let rows: Vec<_> = table_rows(text).collect();
        assert_eq!(rows, ["1\tA", "22\tB b", "333", "4\tC"]);
        // The same rows as `str::lines` gives, which they replace.
        let by_lines: Vec<_> = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert_eq!(rows, by_lines);
        let split: Vec<_> = rows.into_iter().map(tab_split).collect();
        assert_eq!(
            split,
            [
                Some(("1", "A")),
                Some(("22", "B b")),
                None,
                Some(("4", "C"))
            ]
        );
        assert_eq!(table_rows("").count(), 0);
        assert_eq!(table_rows("\n\n#\n").count(), 0);
    }

    #[test]
    fn nanp_area_codes_are_not_all_the_us() {
        let p = NumberingPlan::builtin();
        assert_eq!(country(&p, "12065550123"), "US");
        assert_eq!(country(&p, "12462501234"), "BB");
        assert_eq!(country(&p, "12423571234"), "BS");
        assert_eq!(country(&p, "18765551234"), "JM");
        assert_eq!(country(&p, "16045551234"), "CA");
        assert_eq!(country(&p, "17875551234"), "PR");
    }

    #[test]
    fn country_codes_and_shared_codes() {
        let p = NumberingPlan::builtin();
        assert_eq!(country(&p, "8613010000771"), "CN");
        assert_eq!(country(&p, "447785011500"), "GB");
        assert_eq!(country(&p, "77011234567"), "KZ");
        assert_eq!(country(&p, "79161234567"), "RU");
        assert_eq!(country(&p, "35818123456"), "AX");
        assert_eq!(country(&p, "9"), "");
    }

    #[test]
    fn carriers_of_number_ranges() {
        let p = NumberingPlan::builtin();
        assert_eq!(operator(&p, "8613010000771"), "China Unicom");
        assert_eq!(operator(&p, "8613810000771"), "China Mobile");
    }

    #[test]
    fn mcc_and_plmn() {
        let p = NumberingPlan::builtin();
        assert_eq!(p.mcc_country(310).unwrap().to_string(), "US");
        assert_eq!(p.mcc_country(342).unwrap().to_string(), "BB");
        let at = p.plmn_operator("310-410".parse().unwrap()).unwrap();
        assert_eq!(p.operator(at).unwrap().name, "AT&T Mobility");
        let cu = p.plmn_operator("460-01".parse().unwrap()).unwrap();
        assert_eq!(p.operator(cu).unwrap().name, "China Unicom");
        assert_eq!(
            p.imsi_plmn(&d("310410123456789")).unwrap().to_string(),
            "310-410"
        );
        assert_eq!(
            p.imsi_plmn(&d("460011234567890")).unwrap().to_string(),
            "460-01"
        );
        assert_eq!(
            p.imsi_plmn(&d("234157799310552")).unwrap().to_string(),
            "234-15"
        );
    }

    #[test]
    fn realms() {
        let p = NumberingPlan::builtin();
        let (op, plmn) = p.realm(b"epc.mnc001.mcc460.3gppnetwork.org");
        assert_eq!(plmn.unwrap().to_string(), "460-01");
        assert_eq!(p.operator(op.unwrap()).unwrap().name, "China Unicom");
        let (_, plmn) = p.realm(b"epc.mnc410.mcc310.3gppnetwork.org");
        assert_eq!(plmn.unwrap().to_string(), "310-410");
        assert_eq!(p.realm(b"openairinterface.org"), (None, None));
        assert!(realm_plmn(b"epc.mncabc.mcc310.3gppnetwork.org").is_none());
    }

    #[test]
    fn partner_directory_wins() {
        let mut p = NumberingPlan::builtin();
        let bb = Country::parse("BB").unwrap();
        let id = p
            .add_network(
                "Flow Barbados",
                bb,
                Relation::Partner,
                &["1246250".into()],
                &["342-600".parse().unwrap()],
                &["epc.mnc600.mcc342.3gppnetwork.org".into()],
            )
            .unwrap();
        assert_eq!(p.e164(&d("12462501234")).1, Some(id));
        assert_eq!(
            operator(&p, "12462601234"),
            operator(&NumberingPlan::builtin(), "12462601234")
        );
        assert_eq!(p.plmn_operator("342-600".parse().unwrap()), Some(id));
        assert_eq!(
            p.realm(b"mme1.epc.mnc600.mcc342.3gppnetwork.org").0,
            Some(id)
        );
        assert_eq!(p.operator(id).unwrap().relation, Relation::Partner);
    }
}
