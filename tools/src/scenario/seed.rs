//! The seed scenario: a day on a US carrier's interconnect, attacks included (see the
//! module documentation of [`super`]).

use decoder::diameter::{avp, ApplicationId, AvpSpec, CommandCode, VENDOR_3GPP};
use decoder::map::{imsi_octets, MapArg};

use super::parts::{
    answer, env, home_update, inbound_roamers, invoke, move_on, outbound_roamers,
    population_at_home, register, request, short_message, stay, Attack, Campaign, HomeNodes,
    Roamer, Sub, Sweep,
};
use super::timeline::{ssn, Timeline, DAY, HOUR, MIN, T0};
use super::truth::{Msg, Truth};
use super::Capture;
use crate::net::{
    BTC_BS, CHINA_UNICOM, DIGICEL_JM, FLOW_BB, HOME, ORANGE_FR, TELCEL_MX, VODAFONE_UK,
};
use crate::wire::Dir;

/// The seed scenario. Sizes scale with `scale` (1 = about 30,000 frames).
pub fn seed(seed_value: u64, scale: u64) -> Capture {
    let scale = scale.max(1);
    let mut t = Timeline::new(seed_value);
    let home = HomeNodes::new();

    // Legitimate background: subscribers at home, roamers abroad, visitors, short messages,
    // the home network's own look-ups.
    let n_home = 1500 * scale;
    population_at_home(&mut t, T0, n_home, &home);
    let roamers = roamers(&mut t, n_home, 600 * scale, &home);
    let (uk_visitors, mx_visitors) = visitors(&mut t, scale, &home);
    for k in 0..400 * scale {
        let s = Sub::home(t.rng.below(n_home));
        let from = if k % 2 == 0 { &VODAFONE_UK } else { &ORANGE_FR };
        let ts = T0 + 2 * HOUR + t.rng.below(21 * HOUR);
        let truth = Truth::legit("sms_routing", from, Msg::Map(45));
        short_message(&mut t, ts, from, &s, &home, truth, true);
    }
    for k in 0..300 * scale {
        home_lookup(&mut t, k, n_home, &home);
    }

    // The attacks: targets drawn from those at home and those abroad.
    let at_home: Vec<u64> = (0..n_home).collect();
    let abroad: Vec<u64> = roamers.iter().skip(1).map(|r| r.sub.n).collect();
    let shuffled_home = t.rng.pick(&at_home, at_home.len());
    let shuffled_abroad = t.rng.pick(&abroad, abroad.len());
    let (campaign, rest_abroad) =
        shuffled_abroad.split_at((60 * scale as usize).min(shuffled_abroad.len()));
    let ati_targets: Vec<u64> = rest_abroad
        .iter()
        .copied()
        .take(400 * scale as usize)
        .collect();
    let mut home_targets = shuffled_home.into_iter();
    let mut next = |n: u64| home_targets.by_ref().take(n as usize).collect::<Vec<u64>>();
    let sendimsi_targets = next(150 * scale);
    let recon_targets = next(250 * scale);
    let sri_targets = next(300 * scale);
    let psl_targets = next(250 * scale);

    // A. Mass tracking from China Unicom: ATI, SendIMSI, SRI-for-SM without a message.
    let ati = attack(&CHINA_UNICOM, 71, "ati_tracking");
    Sweep::hours(4, 19).over(&mut t, &ati_targets, |t, ts, s| {
        ati.send(t, ts, s, &home.hlr)
    });
    let sendimsi = attack(&CHINA_UNICOM, 58, "sendimsi_harvest");
    Sweep::hours(3, 20).over(&mut t, &sendimsi_targets, |t, ts, s| {
        sendimsi.send(t, ts, s, &home.hlr);
    });
    Sweep::hours(3, 20).over(&mut t, &recon_targets, |t, ts, s| {
        let truth = Truth::attack("sri_sm_recon", &CHINA_UNICOM, Msg::Map(45), "recon");
        short_message(t, ts, &CHINA_UNICOM, s, &home, truth, false);
    });
    // B and C. Sweeps through two Caribbean carriers.
    let sri = attack(&BTC_BS, 22, "sri_sweep");
    Sweep::hours(3, 20).over(&mut t, &sri_targets, |t, ts, s| {
        sri.send(t, ts, s, &home.hlr)
    });
    let psl = attack(&DIGICEL_JM, 83, "psl_sweep");
    Sweep::hours(3, 20).over(&mut t, &psl_targets, |t, ts, s| {
        psl.send(t, ts, s, &home.msc(s.n));
    });
    // D. The coordinated campaign: the same roamers from all three within ten minutes.
    let attacks = [(&CHINA_UNICOM, 71), (&BTC_BS, 22), (&DIGICEL_JM, 83)]
        .into_iter()
        .map(|(from, op)| Attack {
            campaign: true,
            ..attack(from, op, "coordinated_campaign")
        })
        .collect();
    let coordinated = Campaign {
        attacks,
        start: T0 + 14 * HOUR,
        spacing: 5 * MIN,
        spread: 10 * MIN,
    };
    coordinated.over(&mut t, campaign, &home.hlr);
    // E. Category 2: China Unicom asks our VLR about UK visitors; Diameter IDR from China
    // for Mexican visitors.
    for v in uk_visitors.iter().take(40 * scale as usize) {
        let vlr = v.vlr.as_deref().unwrap_or_default();
        let psi = Msg::Map(70);
        let req = invoke(
            env(&CHINA_UNICOM.gt(100), ssn::HLR, vlr, ssn::VLR),
            70,
            MapArg::provide_subscriber_info(&v.imsi),
            Truth::attack("psi_not_from_home", &CHINA_UNICOM, psi, "cat2").imsi(&v.imsi),
        );
        let a = Truth::legit("vlr_answer", &HOME, psi).imsi(&v.imsi);
        let res = answer(MapArg::any_time_interrogation_res(vlr), a);
        t.dialogue(v.arrived + 5 * HOUR, &CHINA_UNICOM, Dir::In, req, res);
    }
    for v in mx_visitors.iter().take(20 * scale as usize) {
        let idr = Msg::Diameter(319);
        let req = request(
            CommandCode::INSERT_SUBSCRIBER_DATA,
            ApplicationId::S6A,
            vec![AvpSpec::utf8(avp::USER_NAME, &v.imsi)],
            Truth::attack("idr_not_from_home", &CHINA_UNICOM, idr, "cat2").imsi(&v.imsi),
            Truth::legit("mme_answer", &HOME, idr).imsi(&v.imsi),
        );
        t.diameter(v.arrived + 6 * HOUR, &CHINA_UNICOM, Dir::In, req);
    }
    // F. Category 3: China claims roamers an hour after they registered elsewhere.
    let staying: Vec<&Roamer> = roamers
        .iter()
        .skip(1)
        .filter(|r| !r.moves && !campaign.contains(&r.sub.n))
        .collect();
    for r in staying
        .iter()
        .filter(|r| !r.diameter)
        .take(40 * scale as usize)
    {
        let s = &r.sub;
        let cn_vlr = CHINA_UNICOM.gt(200);
        let ul = Msg::Map(2);
        let req = invoke(
            env(&cn_vlr, ssn::VLR, &home.hlr, ssn::HLR),
            2,
            MapArg::update_location(&s.imsi, &cn_vlr, &cn_vlr),
            Truth::attack("spoofed_update_location", &CHINA_UNICOM, ul, "cat3")
                .imsi(&s.imsi)
                .msisdn(&s.msisdn),
        );
        let a = Truth::legit("hlr_answer", &HOME, ul).imsi(&s.imsi);
        let res = answer(MapArg::update_location_res(&home.hlr), a);
        t.dialogue(r.arrived + HOUR, &CHINA_UNICOM, Dir::In, req, res);
    }
    for r in staying
        .iter()
        .filter(|r| r.diameter)
        .take(20 * scale as usize)
    {
        let imsi = &r.sub.imsi;
        let ulr = Msg::Diameter(316);
        let avps = vec![
            AvpSpec::utf8(avp::USER_NAME, imsi),
            AvpSpec::tgpp(avp::VISITED_PLMN_ID, CHINA_UNICOM.plmn_octets()),
        ];
        let req = request(
            CommandCode::UPDATE_LOCATION,
            ApplicationId::S6A,
            avps,
            Truth::attack("spoofed_ulr", &CHINA_UNICOM, ulr, "cat3").imsi(imsi),
            Truth::legit("hss_answer", &HOME, ulr).imsi(imsi),
        );
        t.diameter(r.arrived + HOUR, &CHINA_UNICOM, Dir::In, req);
    }
    // G. Diameter category 1: SLh routing-info and Sh user-data requests from China.
    let slh = ati_targets
        .iter()
        .copied()
        .take(100 * scale as usize)
        .collect::<Vec<_>>();
    Sweep::hours(5, 18).over(&mut t, &slh, |t, ts, s| {
        let rir = Msg::Diameter(8_388_622);
        let req = request(
            CommandCode::LCS_ROUTING_INFO,
            ApplicationId::SLH,
            vec![AvpSpec::tgpp(avp::MSISDN, imsi_octets(&s.msisdn))],
            Truth::attack("slh_routing_info", &CHINA_UNICOM, rir, "cat1").msisdn(&s.msisdn),
            Truth::legit("hss_answer", &HOME, rir).msisdn(&s.msisdn),
        );
        t.diameter(ts, &CHINA_UNICOM, Dir::In, req);
    });
    let sh = sendimsi_targets
        .iter()
        .copied()
        .take(50 * scale as usize)
        .collect::<Vec<_>>();
    Sweep::hours(5, 18).over(&mut t, &sh, |t, ts, s| {
        let udr = Msg::Diameter(306);
        let uid = [AvpSpec::tgpp(avp::MSISDN, imsi_octets(&s.msisdn))];
        let avps = vec![AvpSpec::grouped(
            avp::USER_IDENTITY,
            Some(VENDOR_3GPP),
            &uid,
        )];
        let req = request(
            CommandCode::USER_DATA,
            ApplicationId::SH,
            avps,
            Truth::attack("sh_user_data", &CHINA_UNICOM, udr, "cat1").msisdn(&s.msisdn),
            Truth::legit("hss_answer", &HOME, udr).msisdn(&s.msisdn),
        );
        t.diameter(ts, &CHINA_UNICOM, Dir::In, req);
    });

    // H. Malformed frames, heartbeats, ARP.
    for k in 0..30 * scale {
        let ts = T0 + t.rng.below(DAY);
        t.broken(ts, &CHINA_UNICOM, 58, Sub::home(k).msisdn);
    }
    t.keepalives(T0, T0 + DAY, 2 * MIN);
    t.render()
}

/// One of the mission's MAP attacks on home subscribers, raising category 1.
fn attack(from: &'static crate::net::Net, op: i64, kind: &'static str) -> Attack {
    Attack::new(from, op, kind, "cat1")
}

/// `n` outbound roamers (home subscribers from number `first`), registered, staying and
/// moving on; the first of them is the roamer who flew Seattle -> London: at home an hour
/// in, in the UK ten hours later.
fn roamers(t: &mut Timeline, first: u64, n: u64, home: &HomeNodes) -> Vec<Roamer> {
    let mut roamers = outbound_roamers(t, T0, first, n);
    if let Some(r) = roamers.first_mut() {
        r.at = &VODAFONE_UK;
        r.diameter = false;
        r.moves = false;
        r.arrived = T0 + 11 * HOUR;
        home_update(t, T0 + HOUR, home, &r.sub, &home.msc(1));
    }
    let mut uk_pair = None;
    for r in &roamers {
        register(t, r, r.at, r.arrived, home);
        // A roamer who moves on leaves after a few hours and flies for the rest of the
        // twelve (no network sees them).
        let until = if r.moves {
            r.arrived + 3 * HOUR
        } else {
            T0 + DAY
        };
        stay(t, r, until, home, &mut uk_pair);
        if r.moves && !r.diameter {
            move_on(t, r, home);
        }
    }
    roamers
}

/// Inbound roamers from four partners: those in the UK (MAP) and in Mexico (Diameter) are
/// returned for the category 2 attacks on them.
fn visitors(
    t: &mut Timeline,
    scale: u64,
    home: &HomeNodes,
) -> (Vec<super::parts::Visitor>, Vec<super::parts::Visitor>) {
    let uk = inbound_roamers(t, T0, &VODAFONE_UK, 200 * scale, home);
    inbound_roamers(t, T0, &ORANGE_FR, 100 * scale, home);
    let mx = inbound_roamers(t, T0, &TELCEL_MX, 60 * scale, home);
    inbound_roamers(t, T0, &FLOW_BB, 60 * scale, home);
    (uk, mx)
}

/// Home-internal look-alikes of the attacks, in turn: the home gsmSCF's ATI, a GMSC's SRI,
/// the GMLC's PSL.
fn home_lookup(t: &mut Timeline, k: u64, n_home: u64, home: &HomeNodes) {
    let s = Sub::home(t.rng.below(n_home));
    let ts = T0 + 2 * HOUR + t.rng.below(21 * HOUR);
    let serving = home.msc(s.n);
    let (env, op, param, result) = match k % 3 {
        0 => (
            env(&home.gsmscf, ssn::GSMSCF, &home.hlr, ssn::HLR),
            71,
            MapArg::any_time_interrogation(Some(&s.msisdn), None, &home.gsmscf),
            MapArg::any_time_interrogation_res(&serving),
        ),
        1 => {
            let gmsc = home.msc(s.n + 1);
            (
                env(&gmsc, ssn::MSC, &home.hlr, ssn::HLR),
                22,
                MapArg::send_routing_info(&s.msisdn, &gmsc),
                MapArg::send_routing_info_res(&s.imsi, &serving),
            )
        }
        _ => (
            env(&home.gmlc, ssn::GMLC, &serving, ssn::MSC),
            83,
            MapArg::provide_subscriber_location(Some(&s.msisdn), Some(&s.imsi), &home.gmlc),
            vec![0x30, 0x00],
        ),
    };
    let m = Msg::Map(op as u8);
    let truth = Truth::legit("home_internal_lookup", &HOME, m).msisdn(&s.msisdn);
    let a = Truth::legit("home_answer", &HOME, m).imsi(&s.imsi);
    t.dialogue(
        ts,
        &HOME,
        Dir::Out,
        invoke(env, op, param, truth),
        answer(result, a),
    );
}

impl Sweep {
    /// A sweep from `start` hours after the capture's start, over `span` hours.
    fn hours(start: u64, span: u64) -> Sweep {
        Sweep {
            start: T0 + start * HOUR,
            span: span * HOUR,
        }
    }
}
