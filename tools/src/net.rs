//! The world of the scenarios: networks (the home carrier, roaming partners, attackers), their
//! nodes' global titles and realms, and subscribers.

use decoder::diameter::{avp, emit_diameter, ApplicationId, AvpSpec, CommandCode, DiameterSpec};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// A network operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    /// Name (as the policy's directory and the report write it).
    pub(crate) name: &'static str,
    /// ISO country code.
    pub(crate) country: &'static str,
    /// MCC.
    pub(crate) mcc: u16,
    /// MNC.
    pub(crate) mnc: u16,
    /// MNC digits (2 or 3).
    pub(crate) mnc_digits: usize,
    /// E.164 prefix of its network nodes' global titles.
    pub(crate) gt_prefix: &'static str,
    /// Its STP's / DEA's IP address.
    pub ip: Ipv4Addr,
}

impl Net {
    /// An S6a request from this network's MME about `imsi` to the home network, as bytes:
    /// ULR or AIR (`cmd`), numbered `n` (Session-Id, hop-by-hop and end-to-end ids).
    pub fn s6a_request(&self, cmd: CommandCode, request: bool, n: u32, imsi: &str) -> Vec<u8> {
        let spec = DiameterSpec {
            request,
            cmd,
            app: ApplicationId::S6A,
            hbh: n,
            e2e: n,
            avps: vec![
                AvpSpec::utf8(avp::SESSION_ID, &format!("{};{n}", self.host("mme", 1))),
                AvpSpec::u32(avp::AUTH_APPLICATION_ID, ApplicationId::S6A.0),
                AvpSpec::utf8(avp::ORIGIN_HOST, &self.host("mme", 1)),
                AvpSpec::utf8(avp::ORIGIN_REALM, &self.realm()),
                AvpSpec::utf8(avp::DESTINATION_REALM, &HOME.realm()),
                AvpSpec::utf8(avp::USER_NAME, imsi),
                AvpSpec::tgpp(avp::VISITED_PLMN_ID, self.plmn_octets()),
            ],
        };
        let mut d = Vec::new();
        emit_diameter(&mut d, &spec);
        d
    }

    /// `MCC-MNC`.
    pub(crate) fn plmn(&self) -> String {
        if self.mnc_digits == 3 {
            format!("{:03}-{:03}", self.mcc, self.mnc)
        } else {
            format!("{:03}-{:02}", self.mcc, self.mnc)
        }
    }

    /// The EPC realm (3GPP TS 23.003 §19.2).
    pub(crate) fn realm(&self) -> String {
        format!("epc.mnc{:03}.mcc{:03}.3gppnetwork.org", self.mnc, self.mcc)
    }

    /// A node's global title: the prefix and a node number.
    pub(crate) fn gt(&self, node: u32) -> String {
        let width = 12usize.saturating_sub(self.gt_prefix.len()).max(3);
        format!(
            "{}{:0width$}",
            self.gt_prefix,
            node % 10u32.pow(width as u32)
        )
    }

    /// A Diameter host in the realm.
    pub(crate) fn host(&self, kind: &str, n: u32) -> String {
        format!("{kind}{n:02}.{}", self.realm())
    }

    /// The Visited-PLMN-Id octets (3GPP TS 24.008 §10.5.1.13).
    pub(crate) fn plmn_octets(&self) -> Vec<u8> {
        let d = |v: u16, n: usize| -> Vec<u16> {
            let s = format!("{v:0n$}");
            s.bytes().map(|c| u16::from(c - b'0')).collect()
        };
        let mcc = d(self.mcc, 3);
        let mnc = d(self.mnc, self.mnc_digits);
        let mnc3 = if self.mnc_digits == 3 { mnc[2] } else { 0xf };
        vec![
            (mcc[0] | mcc[1] << 4) as u8,
            (mcc[2] | mnc3 << 4) as u8,
            (mnc[0] | mnc[1] << 4) as u8,
        ]
    }

    /// The IMSI of subscriber `n`.
    pub fn imsi(&self, n: u64) -> String {
        let head = if self.mnc_digits == 3 {
            format!("{:03}{:03}", self.mcc, self.mnc)
        } else {
            format!("{:03}{:02}", self.mcc, self.mnc)
        };
        let width = 15 - head.len();
        format!("{head}{:0width$}", n % 10u64.pow(width as u32))
    }
}

/// The carrier running sigwatch.
pub const HOME: Net = Net {
    name: "HomeCo US",
    country: "US",
    mcc: 310,
    mnc: 410,
    mnc_digits: 3,
    gt_prefix: "1206555",
    ip: Ipv4Addr::new(10, 0, 0, 1),
};

/// Roaming partners.
pub(crate) const VODAFONE_UK: Net = Net {
    name: "Vodafone UK",
    country: "GB",
    mcc: 234,
    mnc: 15,
    mnc_digits: 2,
    gt_prefix: "447785",
    ip: Ipv4Addr::new(10, 0, 1, 1),
};
/// Orange France.
pub(crate) const ORANGE_FR: Net = Net {
    name: "Orange France",
    country: "FR",
    mcc: 208,
    mnc: 1,
    mnc_digits: 2,
    gt_prefix: "3360800",
    ip: Ipv4Addr::new(10, 0, 2, 1),
};
/// Telcel Mexico (its Diameter runs over TCP).
pub(crate) const TELCEL_MX: Net = Net {
    name: "Telcel Mexico",
    country: "MX",
    mcc: 334,
    mnc: 20,
    mnc_digits: 3,
    gt_prefix: "5255100",
    ip: Ipv4Addr::new(10, 0, 3, 1),
};
/// Flow Barbados (Cable & Wireless; PLMN 342-600, titles +1-246; its SS7 link is M2PA).
pub(crate) const FLOW_BB: Net = Net {
    name: "Flow Barbados",
    country: "BB",
    mcc: 342,
    mnc: 600,
    mnc_digits: 3,
    gt_prefix: "1246250",
    ip: Ipv4Addr::new(10, 0, 4, 1),
};
/// The state operator behind the mass tracking.
pub(crate) const CHINA_UNICOM: Net = Net {
    name: "China Unicom",
    country: "CN",
    mcc: 460,
    mnc: 1,
    mnc_digits: 2,
    gt_prefix: "86130",
    ip: Ipv4Addr::new(10, 0, 5, 1),
};
/// The Bahamas Telecommunications Company (BTC, once BaTelCo): PLMN 364-39, titles +1-242.
pub(crate) const BTC_BS: Net = Net {
    name: "BTC Bahamas",
    country: "BS",
    mcc: 364,
    mnc: 39,
    mnc_digits: 2,
    gt_prefix: "1242357",
    ip: Ipv4Addr::new(10, 0, 6, 1),
};
/// A Caribbean carrier used for PSL sweeps.
pub(crate) const DIGICEL_JM: Net = Net {
    name: "Digicel Jamaica",
    country: "JM",
    mcc: 338,
    mnc: 5,
    mnc_digits: 2,
    gt_prefix: "1876240",
    ip: Ipv4Addr::new(10, 0, 7, 1),
};

/// Every network the policy's partner directory lists.
pub(crate) const DIRECTORY: [&Net; 7] = [
    &VODAFONE_UK,
    &ORANGE_FR,
    &TELCEL_MX,
    &FLOW_BB,
    &CHINA_UNICOM,
    &BTC_BS,
    &DIGICEL_JM,
];

/// The roaming partners home subscribers travel to.
pub const ROAMING: [&Net; 4] = [&VODAFONE_UK, &ORANGE_FR, &TELCEL_MX, &FLOW_BB];

/// A UK operator that is no partner of the home network's, beside the partner Vodafone UK:
/// known only from the built-in numbering data (EE: PLMN 234-30, titles +447930).
pub(crate) const EE_UK: Net = Net {
    name: "EE",
    country: "GB",
    mcc: 234,
    mnc: 30,
    mnc_digits: 2,
    gt_prefix: "447930",
    ip: Ipv4Addr::new(10, 0, 8, 1),
};

/// The policy file matching the world (the home network and the directory).
pub fn policy_toml() -> String {
    policy_with_partners(&DIRECTORY)
}

/// The policy file of the home network with `partners` as its partner directory.
pub(crate) fn policy_with_partners(partners: &[&Net]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Generated by siggen: the home network and its roaming-partner directory."
    );
    let net = |s: &mut String, header: &str, n: &Net| {
        let _ = writeln!(s, "\n{header}");
        let _ = writeln!(s, "name = {:?}", n.name);
        let _ = writeln!(s, "country = {:?}", n.country);
        let _ = writeln!(s, "plmn = [{:?}]", n.plmn());
        let _ = writeln!(s, "gt_prefixes = [{:?}]", n.gt_prefix);
        let _ = writeln!(s, "realms = [{:?}]", n.realm());
    };
    net(&mut s, "[home]", &HOME);
    for n in partners {
        net(&mut s, "[[partner]]", n);
    }
    let _ = writeln!(s, "\n[policy]\nmax_travel_kmh = 1000\nsri_sm_followup_s = 120\ncampaign_window_s = 900\ncampaign_min_sources = 2");
    s
}

/// A home subscriber's identities.
pub fn home_sub(n: u64) -> (String, String) {
    // +1 206 200 0000 on: the first 10,000 are 1206200nnnn, and the numbers run on from there.
    (
        HOME.imsi(n + 1),
        format!("1206{:07}", 2_000_000 + n % 7_000_000),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities() {
        assert_eq!(HOME.imsi(7), "310410000000007");
        assert_eq!(VODAFONE_UK.imsi(7), "234150000000007");
        assert_eq!(HOME.realm(), "epc.mnc410.mcc310.3gppnetwork.org");
        assert_eq!(CHINA_UNICOM.realm(), "epc.mnc001.mcc460.3gppnetwork.org");
        assert_eq!(VODAFONE_UK.gt(12), "447785000012");
        assert_eq!(HOME.plmn_octets(), vec![0x13, 0x00, 0x14]);
        assert_eq!(VODAFONE_UK.plmn_octets(), vec![0x32, 0xf4, 0x51]);
        assert_eq!(
            home_sub(17),
            ("310410000000018".into(), "12062000017".into())
        );
    }
}
