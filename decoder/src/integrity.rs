//! What the receiver accepts: checksums. A packet whose IPv4 header checksum, TCP checksum or
//! SCTP CRC32c is wrong is dropped by the node it is addressed to, so a tap must not take it
//! for traffic: it changes no stream state and is counted under its own reason. Otherwise a
//! sender could put a decoy on the wire (a benign chunk with a wrong CRC and the TSN of the
//! next one) that the probe remembers and the receiver never sees, and the probe would skip
//! the real message as a retransmission.
//!
//! Captures made on a sending host carry offloaded checksums (the NIC fills them in after the
//! capture point), so every packet that host sent looks wrong. [`ChecksumMode::Auto`], the
//! default, verifies a flow from its first packet that passes; a flow whose packets all fail
//! is taken for an offloading sender and accepted unverified, and the report says how many
//! flows and packets that was. A flow that has passed once never goes back.

/// Whether checksums are verified (the policy's `[capture] checksums`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChecksumMode {
    /// Every packet: a wrong checksum drops the packet.
    Verify,
    /// Per flow (see the module documentation).
    #[default]
    Auto,
    /// Never.
    Ignore,
}

impl ChecksumMode {
    /// The name the policy file uses.
    pub fn name(self) -> &'static str {
        match self {
            ChecksumMode::Verify => "verify",
            ChecksumMode::Auto => "auto",
            ChecksumMode::Ignore => "ignore",
        }
    }

    /// From the policy file's name.
    pub fn from_name(s: &str) -> Option<ChecksumMode> {
        match s {
            "verify" => Some(ChecksumMode::Verify),
            "auto" => Some(ChecksumMode::Auto),
            "ignore" => Some(ChecksumMode::Ignore),
            _ => None,
        }
    }
}

/// After this many failures and no pass, an `Auto` flow is taken for an offloading sender and
/// no longer checked.
const OFFLOADED_AFTER: u8 = 8;

/// A flow's standing under [`ChecksumMode::Auto`]: two octets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Standing {
    /// A packet of the flow has passed: from then on, every packet must.
    passed: bool,
    /// Failures before any pass (saturating at [`OFFLOADED_AFTER`]).
    failures: u8,
}

/// What to do with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// It passed, or is not checked.
    Accept,
    /// It failed, in a flow that never passed (`Auto`): taken, unverified.
    Unverified,
    /// It failed where the receiver drops it.
    Reject,
}

crate::counters! {
    /// Checksum verification, for the report.
    pub struct IntegrityStats {
        /// Packets taken although their checksum failed, in flows that never passed one
        /// (`auto`: an offloading sender).
        unverified => "checksum_unverified_packets",
        /// Flows no longer checked: their first packets all failed (`auto`).
        offloaded => "checksum_offloaded_flows",
    }
}

impl Standing {
    /// Judge a packet of this flow: `ok` computes whether its checksum is right (called only
    /// when the mode and the flow's standing need it).
    #[inline]
    pub(crate) fn check(
        &mut self,
        mode: ChecksumMode,
        stats: &mut IntegrityStats,
        ok: impl FnOnce() -> bool,
    ) -> Check {
        match mode {
            ChecksumMode::Ignore => Check::Accept,
            ChecksumMode::Verify => {
                if ok() {
                    self.passed = true;
                    Check::Accept
                } else {
                    Check::Reject
                }
            }
            ChecksumMode::Auto => {
                if !self.passed && self.failures >= OFFLOADED_AFTER {
                    stats.unverified += 1;
                    return Check::Unverified;
                }
                if ok() {
                    self.passed = true;
                    return Check::Accept;
                }
                if self.passed {
                    return Check::Reject;
                }
                self.failures += 1;
                if self.failures == OFFLOADED_AFTER {
                    stats.offloaded += 1;
                }
                stats.unverified += 1;
                Check::Unverified
            }
        }
    }

    /// The standing a new flow gets from its first packet's check, in `mode`, without a flow
    /// entry yet (`Verify` rejects before anything is remembered).
    pub(crate) fn first(
        mode: ChecksumMode,
        stats: &mut IntegrityStats,
        ok: impl FnOnce() -> bool,
    ) -> (Standing, Check) {
        let mut s = Standing::default();
        let c = s.check(mode, stats, ok);
        (s, c)
    }
}

/// Whether an IPv4 header's checksum is right (RFC 791: the ones' complement sum of its
/// 16-bit words, the checksum included, is all ones).
#[inline]
pub(crate) fn ipv4_header_ok(header: &[u8]) -> bool {
    crate::ip::internet_checksum(header) == 0
}

/// Whether a TCP segment's checksum is right (RFC 9293 §3.1: over a pseudo-header of the
/// addresses, the protocol and the length, then the segment).
pub(crate) fn tcp_ok(src: core::net::IpAddr, dst: core::net::IpAddr, segment: &[u8]) -> bool {
    crate::ip::transport_checksum(src, dst, crate::ip::IpProtocol::TCP, segment) == 0
}

/// Whether an SCTP packet's CRC32c is right (RFC 9260 §6.8: over the packet with the
/// checksum field zeroed, stored little-endian). Not checked when fuzzing: a fuzzer cannot
/// guess checksums, and every decoder behind this one must still be reached.
#[inline]
pub(crate) fn sctp_ok(packet: &[u8]) -> bool {
    if cfg!(fuzzing) {
        return true;
    }
    let Some((&[p0, p1, p2, p3, v0, v1, v2, v3, c0, c1, c2, c3], body)) =
        packet.split_first_chunk::<12>()
    else {
        return false;
    };
    // The common header with its checksum field zeroed, then the chunks: two calls.
    let head = [p0, p1, p2, p3, v0, v1, v2, v3, 0, 0, 0, 0];
    let crc = crc32c::crc32c_append(crc32c::crc32c(&head), body);
    crc == u32::from_le_bytes([c0, c1, c2, c3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_verifies_from_the_first_pass_and_gives_up_on_offloaded_flows() {
        let mut st = IntegrityStats::default();
        let mut good = Standing::default();
        assert_eq!(
            good.check(ChecksumMode::Auto, &mut st, || true),
            Check::Accept
        );
        assert_eq!(
            good.check(ChecksumMode::Auto, &mut st, || false),
            Check::Reject
        );
        let mut offloaded = Standing::default();
        for _ in 0..OFFLOADED_AFTER {
            let c = offloaded.check(ChecksumMode::Auto, &mut st, || false);
            assert_eq!(c, Check::Unverified);
        }
        assert_eq!(st.offloaded, 1);
        // No longer computed.
        let c = offloaded.check(ChecksumMode::Auto, &mut st, || panic!("computed"));
        assert_eq!(c, Check::Unverified);
        assert_eq!(st.unverified, u64::from(OFFLOADED_AFTER) + 1);
        let mut fresh = Standing::default();
        assert_eq!(
            fresh.check(ChecksumMode::Verify, &mut st, || false),
            Check::Reject
        );
        assert_eq!(
            fresh.check(ChecksumMode::Ignore, &mut st, || panic!("computed")),
            Check::Accept
        );
    }

    #[test]
    fn sctp_crc_of_a_built_packet() {
        let mut p = Vec::new();
        crate::sctp::emit_sctp_packet(
            &mut p,
            &crate::sctp::SctpSpec {
                src_port: 2905,
                dst_port: 2905,
                vtag: 7,
            },
            &[crate::sctp::DataChunkSpec::whole(
                1,
                0,
                0,
                crate::sctp::Ppid::M3UA,
                b"abc",
            )],
        );
        assert!(sctp_ok(&p));
        p[20] ^= 1;
        assert_eq!(sctp_ok(&p), cfg!(fuzzing));
    }

    #[test]
    fn tcp_checksum_of_a_built_segment() {
        let src = core::net::IpAddr::from([10, 0, 0, 1]);
        let dst = core::net::IpAddr::from([10, 0, 0, 2]);
        let mut seg = Vec::new();
        crate::tcp::emit_tcp_segment(
            &mut seg,
            &crate::tcp::TcpSpec {
                src,
                dst,
                src_port: 3868,
                dst_port: 40000,
                seq: 1,
                ack: 0,
                flags: crate::tcp::Segment::ACK,
            },
            b"hello",
        );
        assert!(tcp_ok(src, dst, &seg));
        seg[22] ^= 0x40;
        assert!(!tcp_ok(src, dst, &seg));
    }
}
