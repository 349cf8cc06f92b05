//! `sigwatch decode FILE`: one JSON line per signalling message and per malformed frame.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use decoder::capture::CaptureReader;
use decoder::map::NodeRole;
use decoder::stack::{DecoderConfig, FrameClass, FrameContext, FrameDecoder, Message, TcapUser};

use crate::sink::json::JsonLine;

/// Open a capture for reading, naming the file in any error. The reader reads the file
/// straight into its own buffer (a `BufReader` in between would copy every byte twice).
pub(crate) fn open_capture(path: &Path) -> Result<CaptureReader<File>> {
    let f = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        anyhow::bail!("{}: is a directory, not a capture file", path.display());
    }
    CaptureReader::new(f).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Frame counts of a decode run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Frames read.
    pub(crate) frames: u64,
    /// Messages written.
    pub(crate) messages: u64,
    /// Frames classified malformed.
    pub(crate) malformed: u64,
}

/// Decode every frame of `path`, writing JSON lines to `out`.
pub(crate) fn decode_file(path: &Path, out: &mut impl Write) -> Result<Totals> {
    let mut reader = open_capture(path)?;
    let mut decoder = FrameDecoder::new(&DecoderConfig::default());
    let mut j = JsonLine::new();
    let mut totals = Totals::default();
    let mut io_err: Option<std::io::Error> = None;
    loop {
        let rec = match reader.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                eprintln!("sigwatch: {}: {e}; stopping there", path.display());
                break;
            }
        };
        totals.frames += 1;
        let ctx = FrameContext {
            number: totals.frames,
            ts_ns: rec.ts_ns,
        };
        let outcome = decoder.decode(ctx, rec.linktype, rec.data, &mut |m: &Message<'_>| {
            write_message(&mut j, ctx, m);
            if let Err(e) = out.write_all(j.end()) {
                io_err.get_or_insert(e);
            }
        });
        totals.messages += u64::from(outcome.messages);
        if let FrameClass::Malformed(e) = outcome.class {
            totals.malformed += 1;
            j.begin()
                .u64("frame", ctx.number)
                .ts("ts", ctx.ts_ns)
                .str("proto", "malformed")
                .str("layer", e.layer.name())
                .str("error", &e.kind.to_string())
                .u64("offset", e.offset as u64);
            out.write_all(j.end())?;
        }
        if let Some(e) = io_err.take() {
            return Err(e).context("writing output");
        }
    }
    if reader.truncated_tail() {
        eprintln!(
            "sigwatch: {}: the last record is cut short (file ends inside it)",
            path.display()
        );
        j.begin()
            .u64("frame", totals.frames + 1)
            .str("proto", "malformed")
            .str("layer", "capture")
            .str("error", "record cut short at the end of the file");
        out.write_all(j.end())?;
    }
    out.flush()?;
    Ok(totals)
}

/// Write one decoded message as the `sigwatch decode` line of INTERFACES.md (without ending it).
pub(crate) fn write_message(j: &mut JsonLine, ctx: FrameContext, m: &Message<'_>) {
    j.begin().u64("frame", ctx.number).ts("ts", ctx.ts_ns);
    if let Some(e) = m.evasion() {
        j.str("evasion", e.name());
    }
    match m {
        Message::Evasion(e) => {
            j.str("proto", if e.diameter { "diameter" } else { "sigtran" });
        }
        Message::Map(m) => {
            j.str(
                "proto",
                if m.user == TcapUser::Map {
                    "map"
                } else {
                    "tcap"
                },
            )
            .str("tcap", m.tcap.name());
            if let Some(c) = &m.component {
                j.str("component", c.kind.name());
                if let Some(op) = c.op.and_then(|o| o.local()) {
                    j.i64("opcode", op);
                }
                if let Some(name) = m
                    .opcode
                    .filter(|_| m.user == TcapUser::Map)
                    .and_then(|o| o.name())
                {
                    j.str("op", name);
                }
                if let Some(e) = c.error.and_then(|e| e.local()) {
                    j.i64("error", e);
                }
            }
            if let Some(g) = m.calling.gt {
                j.digits("calling_gt", &g.digits());
            }
            if let Some(g) = m.called.gt {
                j.digits("called_gt", &g.digits());
            }
            if let Some(s) = m.calling.ssn {
                j.u64("calling_ssn", u64::from(s.0));
            }
            if let Some(s) = m.called.ssn {
                j.u64("called_ssn", u64::from(s.0));
            }
            if let Some(mtp) = m.mtp {
                j.u64("opc", u64::from(mtp.opc))
                    .u64("dpc", u64::from(mtp.dpc));
            }
            if let Some(t) = m.otid {
                j.hex("otid", t);
            }
            if let Some(t) = m.dtid {
                j.hex("dtid", t);
            }
            if let Some(acn) = m.acn {
                j.str("acn", &acn.to_string());
            }
            if let Some(d) = &m.info.imsi {
                j.digits("imsi", &d.digits());
            }
            if let Some(d) = &m.info.msisdn {
                j.digits("msisdn", &d.digits());
            }
            for role in [
                NodeRole::Vlr,
                NodeRole::Msc,
                NodeRole::Sgsn,
                NodeRole::Hlr,
                NodeRole::NetworkNode,
                NodeRole::ServiceCentre,
                NodeRole::GsmScf,
                NodeRole::Mlc,
                NodeRole::Gmsc,
                NodeRole::RoamingNumber,
            ] {
                if let Some(d) = m.info.node(role) {
                    j.digits(role.name(), &d.number());
                }
            }
            if m.is_returned() {
                j.bool("returned", true);
            }
        }
        Message::Diameter(d) => {
            let s = &d.summary;
            let h = s.header;
            j.str("proto", "diameter").u64("cmd", u64::from(h.cmd.0));
            if let Some(n) = h.cmd.abbreviation(h.is_request()) {
                j.str("cmd_name", n);
            }
            j.u64("app", u64::from(h.app.0))
                .bool("request", h.is_request())
                .u64("hbh", u64::from(h.hbh))
                .u64("e2e", u64::from(h.e2e));
            for (k, v) in [
                ("origin_host", s.origin_host),
                ("origin_realm", s.origin_realm),
                ("dest_host", s.dest_host),
                ("dest_realm", s.dest_realm),
            ] {
                if let Some(v) = v {
                    j.bytes_str(k, v);
                }
            }
            if let Some(d) = &s.imsi {
                j.digits("imsi", &d.digits());
            }
            if let Some(d) = &s.msisdn {
                j.digits("msisdn", &d.digits());
            }
            if let Some(p) = s.visited_plmn {
                j.str("visited_plmn", &p.to_string());
            }
        }
    }
}
