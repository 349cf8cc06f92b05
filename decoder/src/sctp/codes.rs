use core::fmt;

/// An SCTP chunk type (IANA "Chunk Types").
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkType(pub u8);

impl ChunkType {
    /// Payload data.
    pub const DATA: ChunkType = ChunkType(0);
    /// Initiation.
    pub const INIT: ChunkType = ChunkType(1);
    /// Initiation acknowledgement.
    pub const INIT_ACK: ChunkType = ChunkType(2);
    /// Selective acknowledgement.
    pub const SACK: ChunkType = ChunkType(3);
    /// Heartbeat request.
    pub const HEARTBEAT: ChunkType = ChunkType(4);
    /// Heartbeat acknowledgement.
    pub const HEARTBEAT_ACK: ChunkType = ChunkType(5);
    /// Abort.
    pub const ABORT: ChunkType = ChunkType(6);
    /// Shutdown.
    pub const SHUTDOWN: ChunkType = ChunkType(7);
    /// Shutdown acknowledgement.
    pub const SHUTDOWN_ACK: ChunkType = ChunkType(8);
    /// Operation error.
    pub const ERROR: ChunkType = ChunkType(9);
    /// State cookie.
    pub const COOKIE_ECHO: ChunkType = ChunkType(10);
    /// Cookie acknowledgement.
    pub const COOKIE_ACK: ChunkType = ChunkType(11);
    /// Shutdown complete.
    pub const SHUTDOWN_COMPLETE: ChunkType = ChunkType(14);
    /// Interleaved payload data (RFC 8260).
    pub const I_DATA: ChunkType = ChunkType(64);

    /// The name Wireshark shows.
    pub(crate) fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "DATA",
            1 => "INIT",
            2 => "INIT_ACK",
            3 => "SACK",
            4 => "HEARTBEAT",
            5 => "HEARTBEAT_ACK",
            6 => "ABORT",
            7 => "SHUTDOWN",
            8 => "SHUTDOWN_ACK",
            9 => "ERROR",
            10 => "COOKIE_ECHO",
            11 => "COOKIE_ACK",
            12 => "ECNE",
            13 => "CWR",
            14 => "SHUTDOWN_COMPLETE",
            15 => "AUTH",
            64 => "I_DATA",
            128 => "ASCONF_ACK",
            130 => "RE_CONFIG",
            132 => "PAD",
            192 => "FORWARD_TSN",
            193 => "ASCONF",
            194 => "I_FORWARD_TSN",
            _ => return None,
        })
    }
}

impl fmt::Debug for ChunkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "ChunkType({})", self.0),
        }
    }
}

/// A payload protocol identifier (IANA "SCTP Payload Protocol Identifiers").
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Ppid(pub u32);

impl Ppid {
    /// Not specified: the port decides.
    pub const UNSPECIFIED: Ppid = Ppid(0);
    /// M2UA.
    pub const M2UA: Ppid = Ppid(2);
    /// M3UA.
    pub const M3UA: Ppid = Ppid(3);
    /// SUA.
    pub const SUA: Ppid = Ppid(4);
    /// M2PA.
    pub const M2PA: Ppid = Ppid(5);
    /// Diameter in a DATA chunk.
    pub const DIAMETER: Ppid = Ppid(46);
    /// Diameter over DTLS.
    pub const DIAMETER_DTLS: Ppid = Ppid(47);
}

/// The well-known SCTP port of M3UA.
pub const PORT_M3UA: u16 = 2905;
/// The well-known SCTP port of SUA.
pub const PORT_SUA: u16 = 14001;
/// The well-known SCTP port of M2UA.
pub const PORT_M2UA: u16 = 2904;
/// The well-known SCTP port of M2PA.
pub const PORT_M2PA: u16 = 3565;
/// The well-known port of Diameter (SCTP and TCP).
pub const PORT_DIAMETER: u16 = 3868;
/// The well-known port of Diameter over TLS/DTLS (RFC 6733 §2.1).
pub const PORT_DIAMETER_TLS: u16 = 5658;

/// What an SCTP user message carries, as far as sigwatch is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadProtocol {
    /// M3UA (RFC 4666).
    M3ua,
    /// SUA (RFC 3868).
    Sua,
    /// M2PA (RFC 4165).
    M2pa,
    /// M2UA (RFC 3331).
    M2ua,
    /// Diameter (RFC 6733).
    Diameter,
    /// Diameter inside (D)TLS: visible only as encrypted records.
    DiameterTls,
    /// Anything else (S1AP, X2AP, H.248, ...).
    Other(Ppid),
}

impl PayloadProtocol {
    /// The protocol of a user message: by PPID, and by the well-known ports when the PPID is 0.
    pub(crate) fn identify(ppid: Ppid, src_port: u16, dst_port: u16) -> PayloadProtocol {
        match ppid {
            Ppid::M3UA => PayloadProtocol::M3ua,
            Ppid::SUA => PayloadProtocol::Sua,
            Ppid::M2PA => PayloadProtocol::M2pa,
            Ppid::M2UA => PayloadProtocol::M2ua,
            Ppid::DIAMETER => PayloadProtocol::Diameter,
            Ppid::DIAMETER_DTLS => PayloadProtocol::DiameterTls,
            Ppid::UNSPECIFIED => {
                let is = |p: u16| src_port == p || dst_port == p;
                if is(PORT_M3UA) {
                    PayloadProtocol::M3ua
                } else if is(PORT_SUA) {
                    PayloadProtocol::Sua
                } else if is(PORT_M2PA) {
                    PayloadProtocol::M2pa
                } else if is(PORT_M2UA) {
                    PayloadProtocol::M2ua
                } else if is(PORT_DIAMETER) {
                    PayloadProtocol::Diameter
                } else if is(PORT_DIAMETER_TLS) || is(PORT_DIAMETER + 1) {
                    // 3869 is where freeDiameter and many labs run Diameter over TLS.
                    PayloadProtocol::DiameterTls
                } else {
                    PayloadProtocol::Other(ppid)
                }
            }
            other => PayloadProtocol::Other(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppid_wins_over_port() {
        assert_eq!(
            PayloadProtocol::identify(Ppid::M2PA, 2905, 2006),
            PayloadProtocol::M2pa
        );
        assert_eq!(
            PayloadProtocol::identify(Ppid(0), 40000, 3868),
            PayloadProtocol::Diameter
        );
        assert_eq!(
            PayloadProtocol::identify(Ppid(0), 3565, 1),
            PayloadProtocol::M2pa
        );
        assert_eq!(
            PayloadProtocol::identify(Ppid(0), 1, 2),
            PayloadProtocol::Other(Ppid(0))
        );
        assert_eq!(
            PayloadProtocol::identify(Ppid(18), 36412, 3868),
            PayloadProtocol::Other(Ppid(18))
        );
    }
}
