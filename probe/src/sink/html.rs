//! `--html R.html`: the report as one self-contained page (no scripts, no network): alerts
//! over time by category, source operators by subscribers targeted, source countries, the
//! campaign timeline, each chart with the table of its numbers.

use std::fmt::Write as _;

use super::report::{source_name, source_names, Report, TimelineRow};

const COLORS: [(&str, &str); 6] = [
    ("cat1", "#c0392b"),
    ("cat2", "#e67e22"),
    ("cat3", "#8e44ad"),
    ("recon", "#2980b9"),
    ("custom", "#16a085"),
    ("evasion", "#2c3e50"),
];

/// Text made safe for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn utc(ts: f64) -> String {
    let s = ts.max(0.0) as u64;
    let rem = s % 86_400;
    format!(
        "{} {:02}:{:02}",
        super::report::date(s / 86_400),
        rem / 3_600,
        rem % 3_600 / 60
    )
}

fn timeline_chart(out: &mut String, rows: &[TimelineRow]) {
    let (w, h, left, bottom) = (900.0, 260.0, 50.0, 30.0);
    let max = rows
        .iter()
        .map(|r| r.by_category.values().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let bar = ((w - left) / rows.len().max(1) as f64).max(1.0);
    let _ = write!(
        out,
        r#"<svg class="chart" id="timeline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><title>Alerts over time by category</title>"#
    );
    for (i, r) in rows.iter().enumerate() {
        let x = left + i as f64 * bar;
        let mut y = h - bottom;
        for (cat, color) in COLORS {
            let n = r.by_category.get(cat).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let bh = n as f64 / max * (h - bottom - 10.0);
            y -= bh;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="{color}" data-start="{}" data-category="{cat}" data-alerts="{n}"><title>{} {cat}: {n}</title></rect>"#,
                (bar - 0.5).max(0.5),
                r.start,
                utc(r.start)
            );
        }
    }
    let _ = write!(
        out,
        r#"<text x="{left}" y="{}" font-size="11">{}</text><text x="{}" y="{}" font-size="11" text-anchor="end">{}</text><text x="4" y="14" font-size="11">{max}</text></svg>"#,
        h - 8.0,
        rows.first().map(|r| utc(r.start)).unwrap_or_default(),
        w - 4.0,
        h - 8.0,
        rows.last().map(|r| utc(r.start)).unwrap_or_default()
    );
    out.push_str(r#"<p class="legend">"#);
    for (cat, color) in COLORS {
        let _ = write!(
            out,
            r#"<span><i style="background:{color}"></i>{cat}</span> "#
        );
    }
    out.push_str("</p>");
}

/// Horizontal bars: (label, value) pairs, largest first.
fn bars(out: &mut String, id: &str, title: &str, rows: &[(String, u64)], color: &str) {
    let (w, row_h, label_w) = (900.0, 22.0, 260.0);
    let h = row_h * rows.len().max(1) as f64 + 10.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><title>{}</title>"#,
        esc(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let bw = *v as f64 / max * (w - label_w - 80.0);
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="{color}" data-label="{}" data-value="{v}"/><text x="{:.1}" y="{:.1}" font-size="12">{v}</text>"#,
            label_w - 6.0,
            y + 15.0,
            esc(label),
            row_h - 6.0,
            esc(label),
            label_w + bw + 6.0,
            y + 15.0
        );
    }
    out.push_str("</svg>");
}

fn table(out: &mut String, id: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = write!(out, r#"<table id="{id}"><tr>"#);
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// The page.
pub(crate) fn render(r: &Report, title: &str) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{t}</title><style>
body{{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}}
h1{{font-size:22px}}h2{{font-size:17px;margin-top:2em;border-bottom:1px solid #ddd}}
table{{border-collapse:collapse;margin:.6em 0}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:left}}
td:nth-child(n+2){{text-align:right}}.legend span{{margin-right:1em}}.legend i{{display:inline-block;width:10px;height:10px;margin-right:4px}}
.totals td{{text-align:right}}</style></head><body><h1>{t}</h1>"#,
        t = esc(title)
    );
    let t = &r.totals;
    table(
        &mut out,
        "totals",
        &[
            "frames",
            "signalling frames",
            "messages",
            "malformed",
            "other",
            "dropped",
            "alerts",
        ],
        &[vec![
            t.frames.to_string(),
            t.signaling_frames.to_string(),
            t.messages.to_string(),
            t.malformed.to_string(),
            t.other.to_string(),
            t.dropped.to_string(),
            t.alerts.to_string(),
        ]],
    );

    out.push_str("<h2>Alerts over time, by category</h2>");
    timeline_chart(&mut out, &r.timeline);
    let cats: Vec<Vec<String>> = r
        .by_category
        .iter()
        .map(|(k, v)| vec![k.clone(), v.to_string()])
        .collect();
    table(&mut out, "by-category", &["category", "alerts"], &cats);
    let rules: Vec<Vec<String>> = r
        .by_rule
        .iter()
        .map(|(k, v)| vec![k.clone(), v.to_string()])
        .collect();
    table(&mut out, "by-rule", &["rule", "alerts"], &rules);

    out.push_str("<h2>Source operators by subscribers targeted</h2>");
    let ops: Vec<(String, u64)> = r
        .mass_surveillance
        .iter()
        .take(15)
        .map(|m| {
            (
                source_name(m.operator.as_deref(), m.country.as_deref()),
                m.distinct_targets,
            )
        })
        .collect();
    bars(
        &mut out,
        "operators",
        "Distinct subscribers targeted",
        &ops,
        "#c0392b",
    );
    let rows: Vec<Vec<String>> = r
        .mass_surveillance
        .iter()
        .map(|m| {
            vec![
                source_name(m.operator.as_deref(), m.country.as_deref()),
                m.distinct_targets.to_string(),
                m.requests.to_string(),
                m.alerts.to_string(),
            ]
        })
        .collect();
    table(
        &mut out,
        "operators-table",
        &["source", "distinct targets", "requests", "alerts"],
        &rows,
    );

    out.push_str("<h2>Source countries</h2>");
    let mut countries: Vec<(String, u64)> = r
        .by_source_country
        .iter()
        .map(|(k, v)| (k.clone(), v.alerts))
        .collect();
    countries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    bars(
        &mut out,
        "countries",
        "Alerts by source country",
        &countries,
        "#2980b9",
    );
    let rows: Vec<Vec<String>> = countries
        .iter()
        .map(|(c, n)| {
            let targets = r.by_source_country.get(c).map_or(0, |s| s.distinct_targets);
            vec![c.clone(), n.to_string(), targets.to_string()]
        })
        .collect();
    table(
        &mut out,
        "countries-table",
        &["country", "alerts", "distinct targets"],
        &rows,
    );

    out.push_str("<h2>Coordinated campaigns</h2>");
    let _ = write!(
        out,
        "<p>An incident is one subscriber hit by at least two source operators within the \
         campaign window of one another; a campaign is the operators that hit the same \
         subscribers together, incident after incident. Each tick below is one incident.</p>"
    );
    campaign_chart(&mut out, r);
    let rows: Vec<Vec<String>> = r
        .campaigns
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                source_names(&c.sources),
                c.incidents.to_string(),
                c.targets.to_string(),
                c.days.len().to_string(),
                utc(c.first_ts),
                utc(c.last_ts),
            ]
        })
        .collect();
    table(
        &mut out,
        "campaigns-table",
        &[
            "campaign",
            "sources",
            "incidents",
            "targets",
            "days",
            "first",
            "last",
        ],
        &rows,
    );
    out.push_str("<h2>Operators acting together</h2>");
    let _ = write!(
        out,
        "<p><i>together</i>: subscribers both sources hit within the campaign window of one \
         another. <i>expected</i>: what two independent sweeps of the same sizes would give by \
         chance (each source's distinct targets drawn at random from all targets alerted on, \
         their hits at random times over the capture). <i>lift</i> = together / expected: \
         about 1 for independent sources, far above 1 for sources acting together, such as \
         one party behind two operators' global titles.</p>"
    );
    let rows: Vec<Vec<String>> = r
        .operator_pairs
        .iter()
        .map(|p| {
            vec![
                p.a.name(),
                p.b.name(),
                p.together.to_string(),
                p.a_targets.to_string(),
                p.b_targets.to_string(),
                format!("{:.1} %", p.share * 100.0),
                format!("{:.2}", p.expected),
                format!("{:.1}", p.lift),
            ]
        })
        .collect();
    table(
        &mut out,
        "pairs-table",
        &[
            "source", "with", "together", "targets", "targets", "share", "expected", "lift",
        ],
        &rows,
    );
    let id = &r.identities;
    let _ = write!(
        out,
        "<p>Subscribers named two ways: {} MSISDN–IMSI pairs learnt from the traffic; of the \
         subscribers tracked for campaigns, {} known both ways, {} by IMSI only, {} by MSISDN \
         only (unpaired, each counted once per MSISDN).</p>",
        id.pairs_learnt, id.paired, id.imsi_only, id.msisdn_only
    );
    out.push_str("</body></html>\n");
    out
}

/// Campaigns (rows) over capture time: a thin bar from the first incident to the last, one
/// tick per incident.
fn campaign_chart(out: &mut String, r: &Report) {
    let shown: Vec<_> = r.campaigns.iter().take(CAMPAIGNS_CHARTED).collect();
    let (w, row_h, left) = (900.0, 18.0, 250.0);
    let h = row_h * shown.len().max(1) as f64 + 10.0;
    let t0 = shown.iter().map(|c| c.first_ts).fold(f64::MAX, f64::min);
    let t1 = shown.iter().map(|c| c.last_ts).fold(f64::MIN, f64::max);
    let span = (t1 - t0).max(1.0);
    let x = |t: f64| left + (t - t0) / span * (w - left - 20.0);
    let _ = write!(
        out,
        r#"<svg class="chart" id="campaigns" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><title>Campaign timeline: one tick per incident</title>"#
    );
    for (i, c) in shown.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let label = format!("{}: {}", c.id, source_names(&c.sources));
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text><rect x="{:.1}" y="{:.1}" width="{:.1}" height="2" fill="#bbb" data-campaign="{}"/>"##,
            left - 6.0,
            y + 10.0,
            esc(&truncate_label(&label, 45)),
            x(c.first_ts),
            y + 7.0,
            (x(c.last_ts) - x(c.first_ts)).max(2.0),
            c.id,
        );
        for t in &c.incident_ts {
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="2" height="12" fill="#c0392b" data-incident="{}"><title>{}</title></rect>"##,
                x(*t),
                y + 2.0,
                c.id,
                esc(&utc(*t)),
            );
        }
    }
    out.push_str("</svg>");
}

/// Campaigns drawn on the timeline.
const CAMPAIGNS_CHARTED: usize = 20;

fn truncate_label(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
