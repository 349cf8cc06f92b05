//! Ground truth: what each message of a scenario is, for scoring sigwatch.

use serde::Serialize;

use crate::net::Net;

/// Whom a message concerns, in the truth file.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TruthTarget {
    /// IMSI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imsi: Option<String>,
    /// MSISDN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msisdn: Option<String>,
}

/// What one message is, for scoring sigwatch.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Truth {
    /// The frame that carries (or completes) the message.
    pub frame: u64,
    /// `legit`, `attack`, `decoy` (a packet its receiver drops) or `retransmission` (the
    /// same bytes again, which must raise nothing).
    pub label: &'static str,
    /// What kind of traffic (`ati_tracking`, `roamer_update`, ...).
    pub kind: &'static str,
    /// `map` or `diameter`.
    pub(crate) proto: &'static str,
    /// MAP operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) op: Option<u8>,
    /// Diameter command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cmd: Option<u32>,
    /// Sending operator.
    pub source_operator: &'static str,
    /// Sending country.
    pub source_country: &'static str,
    /// Whom it concerns.
    pub target: TruthTarget,
    /// The alert category sigwatch should raise (attacks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<&'static str>,
    /// Part of the coordinated campaign.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub campaign: bool,
    /// A conflicting copy: the evasion rule it must raise besides its own (`ip_overlap`
    /// for `evasion.ip_overlap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evasion: Option<&'static str>,
    /// A decoy: the reason its frame must be counted under (`bad_checksum`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// The exact rule sigwatch should raise, where the scenario says
    /// (`fs11.cat3.no_roaming_agreement`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
}

/// Which message a record is about: a MAP operation or a Diameter command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Msg {
    /// A MAP operation code.
    Map(u8),
    /// A Diameter command code.
    Diameter(u32),
}

impl Truth {
    /// A legitimate message of `kind`, sent by `from`.
    pub(crate) fn legit(kind: &'static str, from: &Net, msg: Msg) -> Truth {
        let (proto, op, cmd) = match msg {
            Msg::Map(op) => ("map", Some(op), None),
            Msg::Diameter(cmd) => ("diameter", None, Some(cmd)),
        };
        Truth {
            frame: 0,
            label: "legit",
            kind,
            proto,
            op,
            cmd,
            source_operator: from.name,
            source_country: from.country,
            target: TruthTarget::default(),
            expect: None,
            campaign: false,
            evasion: None,
            reason: None,
            rule: None,
        }
    }

    /// A packet of `kind` from `from` that its receiver drops, counted under `reason`;
    /// `proto`: `sigtran` or `diameter`.
    pub(crate) fn decoy(
        kind: &'static str,
        from: &Net,
        proto: &'static str,
        reason: &'static str,
    ) -> Truth {
        Truth {
            label: "decoy",
            proto,
            op: None,
            reason: Some(reason),
            ..Truth::legit(kind, from, Msg::Map(0))
        }
    }

    /// The same message sent again, unchanged.
    pub(crate) fn retransmission(from: &Net, msg: Msg) -> Truth {
        Truth {
            label: "retransmission",
            ..Truth::legit("retransmission", from, msg)
        }
    }

    /// A conflicting copy, which must raise `evasion.{rule}` besides its own alert.
    pub(crate) fn evasion(mut self, rule: &'static str) -> Truth {
        self.evasion = Some(rule);
        self
    }

    /// An attack of `kind` from `from`, on which sigwatch should raise `expect`.
    pub(crate) fn attack(kind: &'static str, from: &Net, msg: Msg, expect: &'static str) -> Truth {
        Truth {
            label: "attack",
            expect: Some(expect),
            ..Truth::legit(kind, from, msg)
        }
    }

    /// Expected to raise exactly this rule.
    pub(crate) fn rule(mut self, id: &'static str) -> Truth {
        self.rule = Some(id);
        self
    }

    /// About the subscriber with this IMSI.
    pub(crate) fn imsi(mut self, imsi: &str) -> Truth {
        self.target.imsi = Some(imsi.to_owned());
        self
    }

    /// About the subscriber with this MSISDN.
    pub(crate) fn msisdn(mut self, msisdn: &str) -> Truth {
        self.target.msisdn = Some(msisdn.to_owned());
        self
    }

    /// Part of a coordinated campaign.
    pub(crate) fn in_campaign(mut self) -> Truth {
        self.campaign = true;
        self
    }
}
