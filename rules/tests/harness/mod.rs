//! A small world for the rules tests: a home network in the US, roaming partners, attackers,
//! and messages built with the decoder's `emit` functions, decoded by the real frame decoder,
//! classified, and run through a shard.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::net::IpAddr;

use decoder::diameter::{avp, emit_diameter, ApplicationId, AvpSpec, CommandCode, DiameterSpec};
use decoder::link::{EthernetSpec, LinkType};
use decoder::m3ua::{emit_m3ua_data, M3uaDataSpec};
use decoder::sccp::{emit_sccp_unitdata, AddressSpec, UnitdataSpec};
use decoder::sctp::{DataChunkSpec, Ppid, SctpSpec};
use decoder::stack::{emit_sctp_frame, FrameContext, FrameDecoder, Message};
use decoder::tcap::{emit_tcap, ComponentSpec, TcapKind, TcapSpec};
use rules::engine::{Classifier, Engine, Outcome};
use rules::policy::Policy;
use rules::state::ShardState;
use rules::verdict::Verdict;

pub const POLICY: &str = r#"
[home]
name = "HomeCo US"
country = "US"
plmn = ["310-410"]
gt_prefixes = ["1206555"]
realms = ["epc.mnc410.mcc310.3gppnetwork.org"]

[[partner]]
name = "Flow Barbados"
country = "BB"
plmn = ["342-600"]
gt_prefixes = ["1246250"]
realms = ["epc.mnc600.mcc342.3gppnetwork.org"]

[[partner]]
name = "Vodafone UK"
country = "GB"
plmn = ["234-15"]
gt_prefixes = ["447785"]
realms = ["epc.mnc015.mcc234.3gppnetwork.org"]

[[partner]]
name = "China Unicom"
country = "CN"
plmn = ["460-01"]
gt_prefixes = ["86130"]
realms = ["epc.mnc001.mcc460.3gppnetwork.org"]
"#;

/// Home subscriber identities.
pub const HOME_IMSI: &str = "310410000000001";
pub const HOME_MSISDN: &str = "12065550001";
/// The home HLR's and a home MSC's global titles.
pub const HOME_HLR: &str = "12065550100";
pub const HOME_MSC: &str = "12065550200";
/// An inbound roamer from the UK and its home HLR.
pub const UK_IMSI: &str = "234150000000001";
pub const UK_HLR: &str = "447785000100";
pub const UK_VLR: &str = "447785000200";
/// Barbados and China network nodes.
pub const BB_VLR: &str = "12462500200";
pub const CN_GT: &str = "8613010000077";
pub const CN_VLR: &str = "8613010000200";
/// A Bahamas node (no partner).
pub const BS_GT: &str = "12423570001";

pub const SEC: u64 = 1_000_000_000;
pub const HOUR: u64 = 3600 * SEC;

pub struct World {
    pub engine: &'static Engine,
    pub classifier: Classifier<'static>,
    pub shard: ShardState,
    decoder: FrameDecoder,
    frame: u64,
    tsn: u32,
    pub verdicts: Vec<Verdict>,
    pub outcomes: Vec<Outcome>,
}

impl World {
    pub fn new() -> World {
        World::with_policy(POLICY)
    }

    pub fn with_policy(text: &str) -> World {
        let policy = Policy::parse("test.toml", text).unwrap();
        let engine: &'static Engine = Box::leak(Box::new(Engine::new(policy)));
        World {
            engine,
            classifier: Classifier::new(engine),
            shard: ShardState::new(engine, 1),
            decoder: FrameDecoder::default(),
            frame: 0,
            tsn: 0,
            verdicts: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    fn run(&mut self, ts: u64, frame: &[u8]) -> Vec<Verdict> {
        self.frame += 1;
        let ctx = FrameContext {
            number: self.frame,
            ts_ns: ts,
        };
        let mut outs = Vec::new();
        let classifier = &mut self.classifier;
        self.decoder
            .decode(ctx, LinkType::ETHERNET, frame, &mut |m: &Message<'_>| {
                let mut o = Outcome::default();
                classifier.classify(ctx, m, &mut o);
                outs.push(o);
            });
        assert!(!outs.is_empty(), "the frame decoded to no message");
        let mut got = Vec::new();
        for o in &outs {
            got.extend(o.verdict);
            got.extend(o.evasion);
            for j in &o.jobs {
                let mut emit = |v: Verdict| got.push(v);
                self.shard.apply(self.engine, j, &mut emit);
            }
        }
        self.outcomes.extend(outs);
        self.verdicts.extend(got.iter().copied());
        got
    }

    /// Let capture time pass (closes SMS windows).
    pub fn advance(&mut self, ts: u64) -> Vec<Verdict> {
        let mut got = Vec::new();
        self.shard.advance(self.engine, ts, &mut |v| got.push(v));
        self.verdicts.extend(got.iter().copied());
        got
    }

    /// A MAP message over M3UA from `calling` to `called`.
    pub fn map(&mut self, ts: u64, calling: &str, called: &str, tcap: TcapSpec) -> Vec<Verdict> {
        let mut t = Vec::new();
        emit_tcap(&mut t, &tcap);
        let mut s = Vec::new();
        emit_sccp_unitdata(
            &mut s,
            &UnitdataSpec::udt(AddressSpec::gt(called, 6), AddressSpec::gt(calling, 7)),
            &t,
        );
        let mut m = Vec::new();
        emit_m3ua_data(
            &mut m,
            &M3uaDataSpec {
                opc: 1,
                dpc: 2,
                si: 3,
                ..M3uaDataSpec::default()
            },
            &s,
        );
        self.tsn += 1;
        let mut f = Vec::new();
        emit_sctp_frame(
            &mut f,
            &EthernetSpec::default(),
            IpAddr::from([192, 0, 2, 1]),
            IpAddr::from([192, 0, 2, 2]),
            &SctpSpec {
                src_port: 2905,
                dst_port: 2905,
                vtag: 1,
            },
            &[DataChunkSpec::whole(self.tsn, 1, 0, Ppid::M3UA, &m)],
        );
        self.run(ts, &f)
    }

    /// A Begin with one Invoke.
    pub fn invoke(
        &mut self,
        ts: u64,
        calling: &str,
        called: &str,
        otid: u32,
        op: i64,
        param: Vec<u8>,
    ) -> Vec<Verdict> {
        self.map(
            ts,
            calling,
            called,
            TcapSpec {
                kind: TcapKind::Begin,
                otid: Some(otid),
                dtid: None,
                acn: None,
                components: vec![ComponentSpec::invoke(1, op, param)],
            },
        )
    }

    /// An End with one ReturnResultLast, answering `dtid`.
    pub fn result(
        &mut self,
        ts: u64,
        calling: &str,
        called: &str,
        dtid: u32,
        op: i64,
        param: Vec<u8>,
    ) -> Vec<Verdict> {
        self.map(
            ts,
            calling,
            called,
            TcapSpec {
                kind: TcapKind::End,
                otid: None,
                dtid: Some(dtid),
                acn: None,
                components: vec![ComponentSpec::result(1, op, param)],
            },
        )
    }

    /// A Diameter request over SCTP.
    pub fn diameter(
        &mut self,
        ts: u64,
        cmd: CommandCode,
        app: ApplicationId,
        avps: Vec<AvpSpec>,
    ) -> Vec<Verdict> {
        let mut d = Vec::new();
        emit_diameter(
            &mut d,
            &DiameterSpec {
                request: true,
                cmd,
                app,
                hbh: self.frame as u32,
                e2e: self.frame as u32,
                avps,
            },
        );
        self.tsn += 1;
        let mut f = Vec::new();
        emit_sctp_frame(
            &mut f,
            &EthernetSpec::default(),
            IpAddr::from([192, 0, 2, 3]),
            IpAddr::from([192, 0, 2, 4]),
            &SctpSpec {
                src_port: 3868,
                dst_port: 3868,
                vtag: 2,
            },
            &[DataChunkSpec::whole(self.tsn, 0, 0, Ppid::DIAMETER, &d)],
        );
        self.run(ts, &f)
    }

    pub fn rule_id(&self, v: &Verdict) -> String {
        self.engine.rule(v.rule).unwrap().id.clone()
    }

    pub fn ids(&self, vs: &[Verdict]) -> Vec<String> {
        vs.iter().map(|v| self.rule_id(v)).collect()
    }

    pub fn operator_name(&self, v: &Verdict) -> Option<String> {
        v.source
            .operator
            .and_then(|o| self.engine.plan.operator(o))
            .map(|o| o.name.clone())
    }
}

/// The AVPs of a request from `host` in `realm` to the home HSS.
pub fn origin(host: &str, realm: &str) -> Vec<AvpSpec> {
    vec![
        AvpSpec::utf8(avp::SESSION_ID, &format!("{host};1")),
        AvpSpec::utf8(avp::ORIGIN_HOST, host),
        AvpSpec::utf8(avp::ORIGIN_REALM, realm),
        AvpSpec::utf8(avp::DESTINATION_REALM, "epc.mnc410.mcc310.3gppnetwork.org"),
    ]
}
