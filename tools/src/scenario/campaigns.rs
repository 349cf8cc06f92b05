//! The campaigns scenario: eight weeks on a US carrier's interconnect, told as the published
//! analyses told it.
//!
//! - **Mass surveillance.** China Unicom locates tens of thousands of the carrier's
//!   subscribers with anyTimeInterrogation, a few hundred a day, at random hours.
//! - **(a) Coordinated incidents.** On [`INCIDENT_DAYS`] days over the weeks, China Unicom
//!   (anyTimeInterrogation, by MSISDN), Flow Barbados (sendRoutingInfo, by MSISDN; the home
//!   HLR's answer gives the IMSI) and BTC Bahamas (provideSubscriberInfo, by IMSI) hit the same
//!   subscriber within ten minutes: [`INCIDENTS_PER_DAY`] subscribers a day, drawn in turn from
//!   [`COORDINATED`] targets. Each incident names the subscriber by MSISDN and by IMSI.
//! - **(b) Independent sweeps** by the same three operators over overlapping target sets (the
//!   coordinated targets among them), each operator on its own days: hits on one subscriber
//!   from two operators days apart, never within the campaign window.
//! - **(c) Persistence**: one operator hitting a subscriber dozens of times within an hour.
//! - **(d) One person, two names**: Flow Barbados asks the HLR for [`NAMED_TWICE`] swept
//!   subscribers by MSISDN (sendRoutingInfo), then, minutes later, for each by the IMSI the
//!   answer gave (provideSubscriberInfo): one subscriber each, not two.
//!
//! Only (a) is a campaign. The numbers are constants here, so that tests derive what to expect
//! from them.

use super::parts::{Attack, Sub, Sweep};
use super::timeline::{Timeline, DAY, HOUR, MIN, T0};
use super::Capture;
use crate::net::{BTC_BS, CHINA_UNICOM, FLOW_BB};

/// Days on which coordinated incidents happen: every other day from day 1.
pub const INCIDENT_DAYS: u64 = 24;
/// Subscribers hit in coordinated incidents each such day.
pub const INCIDENTS_PER_DAY: u64 = 2;
/// The subscribers the coordinated incidents take turns on.
pub const COORDINATED: u64 = 30;
/// Subscribers of the independent sweeps (beyond the coordinated ones, which they include).
pub const SWEPT: u64 = 200;
/// Days the capture covers.
pub const DAYS: u64 = 56;
/// Subscribers Flow Barbados names by MSISDN and then by IMSI, on day 44.
pub const NAMED_TWICE: u64 = 50;
/// Subscribers China Unicom locates, at scale 1.
pub const MASS: u64 = 20_000;

/// The scenario; the mass-surveillance population scales with `scale`.
pub fn campaigns(seed_value: u64, scale: u64) -> Capture {
    let mut t = Timeline::new(seed_value);
    let hlr = super::parts::HomeNodes::new().hlr;
    let cu = attack(&CHINA_UNICOM, 71, "ati_tracking");
    let flow = attack(&FLOW_BB, 22, "sri_sweep");
    let btc = attack(&BTC_BS, 70, "psi_not_from_home");

    // (a) Coordinated: subscribers 0..COORDINATED, on odd days, from 14:00, one every 30
    // minutes, the three operators within ten minutes of one another.
    for d in 0..INCIDENT_DAYS {
        let day = T0 + (2 * d + 1) * DAY;
        for k in 0..INCIDENTS_PER_DAY {
            let s = Sub::home((d * INCIDENTS_PER_DAY + k) % COORDINATED);
            let base = day + 14 * HOUR + k * 30 * MIN;
            for a in [&cu, &flow, &btc] {
                let ts = base + t.rng.below(10 * MIN);
                Attack {
                    campaign: true,
                    kind: "coordinated_campaign",
                    ..*a
                }
                .send(&mut t, ts, &s, &hlr);
            }
        }
    }
    // (b) Independent sweeps over overlapping sets: each operator on its own even days,
    // over 120 of the SWEPT + COORDINATED subscribers, between 04:00 and 12:00.
    let pool: Vec<u64> = (0..COORDINATED + SWEPT).collect();
    for (a, days) in [
        (&cu, [2, 16, 30]),
        (&flow, [8, 22, 36]),
        (&btc, [12, 26, 40]),
    ] {
        for day in days {
            let targets = t.rng.pick(&pool, 120);
            let sweep = Sweep {
                start: T0 + day * DAY + 4 * HOUR,
                span: 8 * HOUR,
            };
            sweep.over(&mut t, &targets, |t, ts, s| a.send(t, ts, s, &hlr));
        }
    }
    // (c) Persistence: China Unicom on five swept subscribers, forty times in an hour; Flow on
    // three coordinated ones, twenty times, on days without incidents.
    for n in COORDINATED..COORDINATED + 5 {
        for i in 0..40 {
            cu.send(
                &mut t,
                T0 + 50 * DAY + 9 * HOUR + i * 90 * 1_000_000_000,
                &Sub::home(n),
                &hlr,
            );
        }
    }
    for n in 0..3 {
        for i in 0..20 {
            let ts = T0 + 52 * DAY + 10 * HOUR + n * HOUR + i * 150 * 1_000_000_000;
            flow.send(&mut t, ts, &Sub::home(n), &hlr);
        }
    }
    // (d) One person, two names: SRI by MSISDN, then PSI by IMSI, five minutes on.
    let flow_psi = attack(&FLOW_BB, 70, "psi_not_from_home");
    for n in COORDINATED..COORDINATED + NAMED_TWICE {
        let ts = T0 + 44 * DAY + 8 * HOUR + n * 2 * MIN;
        flow.send(&mut t, ts, &Sub::home(n), &hlr);
        flow_psi.send(&mut t, ts + 5 * MIN, &Sub::home(n), &hlr);
    }
    // Mass surveillance: China Unicom over MASS · scale others, spread over the weeks.
    let first = COORDINATED + SWEPT;
    for n in first..first + MASS * scale.max(1) {
        let ts = T0 + t.rng.below(DAYS * DAY);
        cu.send(&mut t, ts, &Sub::home(n), &hlr);
    }
    t.keepalives(T0, T0 + DAYS * DAY, 30 * MIN);
    t.render()
}

/// An attack: provideSubscriberInfo raises category 2, the others category 1.
fn attack(from: &'static crate::net::Net, op: i64, kind: &'static str) -> Attack {
    Attack::new(from, op, kind, if op == 70 { "cat2" } else { "cat1" })
}
