//! `--html`: the page holds its charts, and the charts and tables hold the report's numbers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

/// Every value of attribute `name` inside the element `<svg ... id="{id}"> ... </svg>`.
fn attrs(html: &str, id: &str, name: &str) -> Vec<String> {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = start + html[start..].find("</svg>").unwrap();
    let svg = &html[start..end];
    let key = format!(r#" {name}=""#);
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find(&key) {
        let v = &rest[i + key.len()..];
        let j = v.find('"').unwrap();
        out.push(v[..j].to_owned());
        rest = &v[j..];
    }
    out
}

/// The cells of table `id`, row by row (the header row left out).
fn table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!(r#"<table id="{id}">"#))
        .unwrap_or_else(|| panic!("no table {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end]
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap().replace("&amp;", "&"))
                .collect()
        })
        .collect()
}

#[test]
fn the_page_holds_the_reports_numbers() {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html");
    std::fs::create_dir_all(&d).unwrap();
    let (pcap, policy, _) = common::seed_files(&d, 4);
    let (report, page) = (d.join("r.json"), d.join("r.html"));
    let page_arg = page.display().to_string();
    let r = common::replay_report(&pcap, &policy, &["--html", &page_arg], &report);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));

    // Totals.
    let totals = &table(&html, "totals")[0];
    for (i, k) in [
        "frames",
        "signaling_frames",
        "messages",
        "malformed",
        "other",
        "dropped",
        "alerts",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(totals[i], r["totals"][k].to_string(), "{k}");
    }
    // Alerts over time: every alert is in one bar segment.
    let alerts: u64 = attrs(&html, "timeline", "data-alerts")
        .iter()
        .map(|v| v.parse::<u64>().unwrap())
        .sum();
    assert_eq!(alerts, r["totals"]["alerts"].as_u64().unwrap());
    assert!(alerts > 1000);
    for row in table(&html, "by-rule") {
        assert_eq!(row[1], r["by_rule"][&row[0]].to_string(), "{}", row[0]);
    }
    // Source operators by distinct targets: the chart's bars are the ranking's first rows.
    let ranking = r["mass_surveillance"].as_array().unwrap();
    let bars = attrs(&html, "operators", "data-value");
    assert_eq!(bars.len(), ranking.len().min(15));
    for (bar, row) in bars.iter().zip(ranking) {
        assert_eq!(bar, &row["distinct_targets"].to_string());
    }
    // Countries.
    let labels = attrs(&html, "countries", "data-label");
    let values = attrs(&html, "countries", "data-value");
    assert_eq!(
        labels.len(),
        r["by_source_country"].as_object().unwrap().len()
    );
    for (c, v) in labels.iter().zip(&values) {
        assert_eq!(v, &r["by_source_country"][c]["alerts"].to_string(), "{c}");
    }
    // Campaigns: a row per campaign, a bar per campaign shown, a tick per incident.
    let campaigns = r["campaigns"].as_array().unwrap();
    assert!(!campaigns.is_empty());
    assert_eq!(table(&html, "campaigns-table").len(), campaigns.len());
    let shown = &campaigns[..campaigns.len().min(20)];
    assert_eq!(
        attrs(&html, "campaigns", "data-campaign").len(),
        shown.len()
    );
    let ticks: usize = shown
        .iter()
        .map(|c| c["incident_ts"].as_array().unwrap().len())
        .sum();
    assert_eq!(attrs(&html, "campaigns", "data-incident").len(), ticks);
    assert_eq!(
        table(&html, "pairs-table").len(),
        r["operator_pairs"].as_array().unwrap().len()
    );
}
