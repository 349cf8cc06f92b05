//! One error type for every layer: which layer failed, why, and where.
//!
//! Parsers inside a layer work with [`PErr`], nom's error type here, which only knows how
//! many bytes were left when it failed. Each layer's public entry point turns it into a
//! [`DecodeError`] with the layer and the offset from the start of the slice it was given;
//! the frame decoder then adds the layer's position in the frame. That offset is what
//! `sigwatch decode` and the report print, so a reader can find the byte in Wireshark.

use core::fmt;

use nom::error::{ErrorKind as NomKind, ParseError};
use nom::IResult;

/// The protocol layers that can fail, as the report and `sigwatch decode` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// The capture file itself (a record that is cut short).
    Capture,
    /// A link header other than Ethernet: Linux cooked (SLL, SLL2), BSD loopback, raw IP.
    Link,
    /// Ethernet II.
    Eth,
    /// 802.1Q / 802.1ad VLAN tags.
    Vlan,
    /// IPv4, with fragment reassembly.
    Ipv4,
    /// IPv6 and its extension headers.
    Ipv6,
    /// GRE and ERSPAN encapsulation of mirrored traffic.
    Gre,
    /// MPLS label stacks (RFC 3032) and the pseudowires behind them.
    Mpls,
    /// UDP, as far as the tunnels it carries.
    Udp,
    /// VXLAN (RFC 7348), what cloud traffic mirroring delivers.
    Vxlan,
    /// SCTP common header, chunks and user-message reassembly.
    Sctp,
    /// TCP header and stream reassembly.
    Tcp,
    /// M3UA (RFC 4666).
    M3ua,
    /// M2PA (RFC 4165) and the MTP3 routing label it carries.
    M2pa,
    /// M2UA (RFC 3331) and the MTP3 routing label it carries.
    M2ua,
    /// SUA (RFC 3868).
    Sua,
    /// SCCP (ITU-T Q.713), with XUDT segment reassembly.
    Sccp,
    /// TCAP (ITU-T Q.773).
    Tcap,
    /// GSM MAP (3GPP TS 29.002) operation parameters.
    Map,
    /// Diameter (RFC 6733).
    Diameter,
}

impl Layer {
    /// Every layer, in stack order.
    pub const ALL: [Layer; 20] = [
        Layer::Capture,
        Layer::Link,
        Layer::Eth,
        Layer::Vlan,
        Layer::Ipv4,
        Layer::Ipv6,
        Layer::Gre,
        Layer::Mpls,
        Layer::Udp,
        Layer::Vxlan,
        Layer::Sctp,
        Layer::Tcp,
        Layer::M3ua,
        Layer::M2pa,
        Layer::M2ua,
        Layer::Sua,
        Layer::Sccp,
        Layer::Tcap,
        Layer::Map,
        Layer::Diameter,
    ];

    /// The name used in JSON output (`"layer":"m3ua"`).
    pub const fn name(self) -> &'static str {
        match self {
            Layer::Capture => "capture",
            Layer::Link => "link",
            Layer::Eth => "eth",
            Layer::Vlan => "vlan",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Gre => "gre",
            Layer::Mpls => "mpls",
            Layer::Udp => "udp",
            Layer::Vxlan => "vxlan",
            Layer::Sctp => "sctp",
            Layer::Tcp => "tcp",
            Layer::M3ua => "m3ua",
            Layer::M2pa => "m2pa",
            Layer::M2ua => "m2ua",
            Layer::Sua => "sua",
            Layer::Sccp => "sccp",
            Layer::Tcap => "tcap",
            Layer::Map => "map",
            Layer::Diameter => "diameter",
        }
    }

    /// Position in [`Layer::ALL`], for per-layer counter arrays.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a layer failed. Every variant is `Copy` and prints a short reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Fewer bytes than a fixed part needs.
    Truncated {
        /// Bytes needed; 0 when the parser could not tell.
        need: u32,
        /// Bytes there.
        have: u32,
    },
    /// A length field points past the end of what contains it.
    LengthExceeds {
        /// The length the field claims.
        len: u32,
        /// What is available.
        avail: u32,
        /// What contains it ("chunk", "frame", "message").
        within: &'static str,
    },
    /// A length field below the minimum for its structure.
    LengthBelow {
        /// The length the field claims.
        len: u32,
        /// The minimum.
        min: u32,
    },
    /// A version this decoder does not speak.
    Version(u32),
    /// A value that the specification does not allow; the text names it.
    Invalid(&'static str),
    /// A BER tag other than the one the ASN.1 module requires at this place.
    UnexpectedTag {
        /// What the specification requires there.
        expected: &'static str,
        /// The identifier octet found.
        found: u8,
    },
    /// Nesting deeper than the decoder's limit (BER, grouped AVPs, tunnels).
    TooDeep,
    /// More items than the decoder's limit; the text names them.
    TooMany(&'static str),
    /// Recognised, but not decoded by this probe; the text names it.
    Unsupported(&'static str),
    /// A nom combinator failed without a more specific reason.
    Nom(NomKind),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorKind::Truncated { need: 0, have } => write!(f, "truncated after {have} bytes"),
            ErrorKind::Truncated { need, have } => {
                write!(f, "truncated: need {need} bytes, have {have}")
            }
            ErrorKind::LengthExceeds { len, avail, within } => {
                write!(f, "length {len} exceeds {within} ({avail})")
            }
            ErrorKind::LengthBelow { len, min } => write!(f, "length {len} below minimum {min}"),
            ErrorKind::Version(v) => write!(f, "unsupported version {v}"),
            ErrorKind::Invalid(what) => f.write_str(what),
            ErrorKind::UnexpectedTag { expected, found } => {
                write!(f, "tag 0x{found:02x} where {expected} is required")
            }
            ErrorKind::TooDeep => f.write_str("nesting too deep"),
            ErrorKind::TooMany(what) => write!(f, "too many {what}"),
            ErrorKind::Unsupported(what) => write!(f, "unsupported: {what}"),
            ErrorKind::Nom(k) => write!(f, "parse error ({})", k.description()),
        }
    }
}

/// A located decoding failure: the layer, the reason, and the byte offset.
///
/// `offset` counts from the start of the slice given to the layer's entry point; the frame
/// decoder rebases it to the start of the frame (or of the reassembled message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{layer}: {kind} at offset {offset}")]
pub struct DecodeError {
    /// The layer that failed.
    pub layer: Layer,
    /// Why.
    pub kind: ErrorKind,
    /// Where, in bytes.
    pub offset: usize,
}

impl DecodeError {
    /// An error at a known place.
    pub(crate) const fn new(layer: Layer, kind: ErrorKind, offset: usize) -> Self {
        DecodeError {
            layer,
            kind,
            offset,
        }
    }

    /// The same error, `base` bytes further into the enclosing buffer.
    #[must_use]
    pub(crate) const fn shifted(self, base: usize) -> Self {
        DecodeError {
            offset: self.offset + base,
            ..self
        }
    }
}

/// nom's error type inside a layer: a reason and how many input bytes were left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PErr {
    /// Why.
    pub kind: ErrorKind,
    /// Input bytes left where it failed.
    pub(crate) remaining: usize,
}

impl PErr {
    /// An error at the start of `i`.
    pub(crate) const fn at(i: &[u8], kind: ErrorKind) -> Self {
        PErr {
            kind,
            remaining: i.len(),
        }
    }
}

impl ParseError<&[u8]> for PErr {
    fn from_error_kind(input: &[u8], kind: NomKind) -> Self {
        let kind = match kind {
            // nom does not say how much it wanted; `need: 0` prints as plain "truncated".
            NomKind::Eof => ErrorKind::Truncated {
                need: 0,
                have: input.len() as u32,
            },
            other => ErrorKind::Nom(other),
        };
        PErr {
            kind,
            remaining: input.len(),
        }
    }

    fn append(_: &[u8], _: NomKind, other: Self) -> Self {
        // Keep the innermost, most specific reason.
        other
    }
}

/// Result of the parsers inside a layer.
pub(crate) type PResult<'a, T> = IResult<&'a [u8], T, PErr>;

/// Result of a layer's public entry point.
pub(crate) type LResult<'a, T> = IResult<&'a [u8], T, DecodeError>;

/// Fail with `kind` at the start of `i`.
pub(crate) fn fail<T>(i: &[u8], kind: ErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Error(PErr::at(i, kind)))
}

/// Run a layer's inner parser on `input` and locate its error in `layer`, relative to `input`.
pub(crate) fn located<'a, T>(
    layer: Layer,
    input: &'a [u8],
    parser: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
) -> LResult<'a, T> {
    parser(input).map_err(|e| e.map(|p| locate(layer, input, p)))
}

/// Turn a [`PErr`] raised while parsing `input` into a [`DecodeError`] of `layer`.
pub(crate) fn locate(layer: Layer, input: &[u8], p: PErr) -> DecodeError {
    DecodeError {
        layer,
        kind: p.kind,
        offset: input.len().saturating_sub(p.remaining),
    }
}

/// Unwrap a complete parse into a plain `Result` (`Incomplete` is reported as truncation).
pub(crate) fn complete<'a, T>(
    input: &'a [u8],
    layer: Layer,
    r: LResult<'a, T>,
) -> Result<T, DecodeError> {
    match r {
        Ok((_, v)) => Ok(v),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(n)) => {
            let need = match n {
                nom::Needed::Size(s) => input.len() + s.get(),
                nom::Needed::Unknown => input.len() + 1,
            };
            Err(DecodeError::new(
                layer,
                ErrorKind::Truncated {
                    need: need as u32,
                    have: input.len() as u32,
                },
                input.len(),
            ))
        }
    }
}

/// Take `len` bytes that a length field announced, or fail naming the container.
///
/// The check comes before any arithmetic on `len`, so an untrusted length never overflows.
pub(crate) fn take_len<'a>(i: &'a [u8], len: usize, within: &'static str) -> PResult<'a, &'a [u8]> {
    if len > i.len() {
        return fail(
            i,
            ErrorKind::LengthExceeds {
                len: len.min(u32::MAX as usize) as u32,
                avail: i.len() as u32,
                within,
            },
        );
    }
    Ok((&i[len..], &i[..len]))
}

/// Require at least `need` bytes at the start of `i` (for fixed headers).
pub(crate) fn need(i: &[u8], need: usize) -> PResult<'_, ()> {
    if i.len() < need {
        return fail(
            i,
            ErrorKind::Truncated {
                need: need as u32,
                have: i.len() as u32,
            },
        );
    }
    Ok((i, ()))
}

/// The error of a reader whose input of `len` bytes ends inside the field that starts at
/// `at`: "truncated after N bytes" at that field, N the bytes left there.
#[cold]
pub(crate) const fn cut_at(layer: Layer, len: usize, at: usize) -> DecodeError {
    DecodeError::new(
        layer,
        ErrorKind::Truncated {
            need: 0,
            have: len.saturating_sub(at) as u32,
        },
        at,
    )
}

/// [`cut_at`] for a fixed run of consecutive fields whose ends are `ends` (ascending): the
/// first field the input of `len` bytes does not hold whole. `len` must be below the last end.
#[cold]
pub(crate) fn cut_in(layer: Layer, len: usize, ends: &[usize]) -> DecodeError {
    let mut start = 0;
    for &end in ends {
        if end > len {
            break;
        }
        start = end;
    }
    cut_at(layer, len, start)
}

/// A length field's value beyond what holds it.
#[cold]
pub(crate) const fn exceeds(
    layer: Layer,
    len: usize,
    avail: usize,
    within: &'static str,
    at: usize,
) -> DecodeError {
    DecodeError::new(
        layer,
        ErrorKind::LengthExceeds {
            len: if len > u32::MAX as usize {
                u32::MAX
            } else {
                len as u32
            },
            avail: avail as u32,
            within,
        },
        at,
    )
}

/// A length field's value below the least its structure takes.
#[cold]
pub(crate) const fn below(layer: Layer, len: usize, min: usize, at: usize) -> DecodeError {
    DecodeError::new(
        layer,
        ErrorKind::LengthBelow {
            len: if len > u32::MAX as usize {
                u32::MAX
            } else {
                len as u32
            },
            min: min as u32,
        },
        at,
    )
}

/// Where `part` starts inside `whole`, when it is a sub-slice of it (0 otherwise).
pub(crate) fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    let (w, p) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    if p >= w && p <= w + whole.len() {
        p - w
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nom::number::complete::be_u16;

    #[test]
    fn located_error_points_at_the_failing_byte() {
        let input = [0u8, 1, 2];
        let r = located(Layer::M3ua, &input, |i| {
            let (i, _) = be_u16(i)?;
            let (i, _) = be_u16(i)?;
            Ok((i, ()))
        });
        let Err(nom::Err::Error(e)) = r else {
            panic!("expected an error, got {r:?}")
        };
        assert_eq!(e.layer, Layer::M3ua);
        assert_eq!(e.offset, 2);
        assert_eq!(e.kind, ErrorKind::Truncated { need: 0, have: 1 });
        assert_eq!(e.to_string(), "m3ua: truncated after 1 bytes at offset 2");
    }

    #[test]
    fn take_len_names_the_container() {
        let e = take_len(&[0u8; 212], 612, "chunk").unwrap_err();
        let nom::Err::Error(p) = e else { panic!() };
        assert_eq!(p.kind.to_string(), "length 612 exceeds chunk (212)");
    }

    #[test]
    fn layer_names_are_unique_and_indexed() {
        for (i, l) in Layer::ALL.iter().enumerate() {
            assert_eq!(l.index(), i);
        }
        let mut names: Vec<_> = Layer::ALL.iter().map(|l| l.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Layer::ALL.len());
    }
}
