//! Who sent a message and whom it is about: a calling global title or a Diameter origin
//! attributed to an operator and country through the numbering plan, a subscriber placed in
//! the home network or in their own.

use decoder::{Digits, Identity, Plmn};

use super::Engine;
use crate::geo::Country;
use crate::numbering::{OperatorId, Relation};
use crate::verdict::{Detail, Name, Source, Target};

impl Engine {
    /// Who owns an E.164 number (a calling global title).
    pub fn attribute_gt(&self, gt: &Digits) -> Source {
        let (country, operator) = self.plan.e164(gt);
        let relation = operator
            .and_then(|o| self.plan.operator(o))
            .map_or(Relation::Foreign, |o| o.relation);
        Source {
            relation: Some(relation),
            country,
            operator,
            plmn: None,
            gt: Some(*gt),
            host: Name::EMPTY,
            realm: Name::EMPTY,
        }
    }

    /// Who owns a Diameter origin.
    pub fn attribute_realm(&self, host: Option<&[u8]>, realm: Option<&[u8]>) -> Source {
        let found = realm.map(|r| self.plan.realm(r));
        self.realm_source(host, realm, found)
    }

    /// The source of a Diameter origin whose realm was looked up (`found`: the realm's
    /// operator and PLMN, as [`crate::numbering::NumberingPlan::realm`] gives them).
    pub(super) fn realm_source(
        &self,
        host: Option<&[u8]>,
        realm: Option<&[u8]>,
        found: Option<(Option<OperatorId>, Option<Plmn>)>,
    ) -> Source {
        let (Some(realm_b), Some((operator, plmn))) = (realm, found) else {
            return Source {
                host: host.map_or(Name::EMPTY, Name::new),
                ..Source::UNKNOWN
            };
        };
        let op = operator.and_then(|o| self.plan.operator(o));
        let country = op
            .and_then(|o| o.country)
            .or_else(|| plmn.and_then(|p| self.plan.mcc_country(p.mcc)));
        // A realm that names no PLMN or operator is still a source: foreign, country unknown.
        let relation = op.map_or(Relation::Foreign, |o| o.relation);
        Source {
            relation: Some(relation),
            country,
            operator,
            plmn,
            gt: None,
            host: host.map_or(Name::EMPTY, Name::new),
            realm: Name::new(realm_b),
        }
    }

    /// The roamer's home network, from its IMSI: the PLMN, its operator, its country.
    fn imsi_home(&self, imsi: &Identity) -> Option<(Plmn, Option<OperatorId>, Option<Country>)> {
        let plmn = self.plan.imsi_plmn(&imsi.digits())?;
        Some((
            plmn,
            self.plan.plmn_operator(plmn),
            self.plan.mcc_country(plmn.mcc),
        ))
    }

    /// Whether `source` is the home network of a subscriber whose IMSI is `imsi`: its
    /// operator, when both operators are known, else its country.
    fn is_subscribers_home(&self, source: &Source, imsi: &Identity) -> Option<(bool, Plmn)> {
        let (plmn, op, country) = self.imsi_home(imsi)?;
        if let Some(sp) = source.plmn {
            if sp.mcc == plmn.mcc && sp.mnc == plmn.mnc {
                return Some((true, plmn));
            }
        }
        let same = match (source.operator, op) {
            (Some(a), Some(b)) => a == b,
            _ => source.country.is_some() && source.country == country,
        };
        Some((same, plmn))
    }

    /// Category 2: `Some(detail)` when `source` is not the subscriber's home network.
    pub(super) fn cat2(&self, source: &Source, imsi: &Identity) -> Option<Detail> {
        let (is_home, plmn) = self.is_subscribers_home(source, imsi)?;
        let home_sub = self.policy.home.plmns.contains(&plmn);
        // The home network's own subscribers: only the home network may send these. Inbound
        // roamers: only their own home network.
        if home_sub || !is_home {
            Some(Detail::NotHome { home: plmn })
        } else {
            None
        }
    }
}

/// A message's subscriber keys (see [`Target::key`]), each converted once per message.
#[derive(Debug, Clone, Copy)]
pub(super) struct Keys {
    /// The IMSI's.
    pub(super) imsi: Option<u64>,
    /// The MSISDN's, computed only without an IMSI (the only case that uses it).
    pub(super) msisdn: Option<u64>,
}

impl Keys {
    pub(super) fn of(t: &Target) -> Keys {
        let imsi = t.imsi_key();
        let msisdn = match imsi {
            Some(_) => None,
            None => t.msisdn_key(),
        };
        Keys { imsi, msisdn }
    }

    /// [`Target::key`]: the IMSI's, else the MSISDN's.
    pub(super) fn any(self) -> Option<u64> {
        self.imsi.or(self.msisdn)
    }
}
