use core::net::IpAddr;

use super::field::*;
use super::{Chunk, ChunkType, CommonHeader, DataChunk, Ppid, MAX_CHUNKS_PER_PACKET};
use crate::error::{below, cut_in, exceeds, DecodeError, ErrorKind, Layer};

/// Decode the common header; the chunks follow as an iterator.
pub fn parse_sctp_packet(data: &[u8]) -> Result<(CommonHeader, Chunks<'_>), DecodeError> {
    let Some(&[p0, p1, p2, p3, v0, v1, v2, v3, c0, c1, c2, c3]) = data.first_chunk() else {
        return Err(cut_in(Layer::Sctp, data.len(), &[2, 4, 8, 12]));
    };
    let header = CommonHeader {
        src_port: u16::from_be_bytes([p0, p1]),
        dst_port: u16::from_be_bytes([p2, p3]),
        vtag: u32::from_be_bytes([v0, v1, v2, v3]),
        checksum: u32::from_be_bytes([c0, c1, c2, c3]),
    };
    let chunks = Chunks {
        packet: data,
        offset: HEADER_LEN,
        count: 0,
        failed: false,
    };
    Ok((header, chunks))
}

/// The chunks of a packet, in order. Yields an error once and then stops.
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    packet: &'a [u8],
    offset: usize,
    count: usize,
    failed: bool,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.offset >= self.packet.len() {
            return None;
        }
        self.count += 1;
        if self.count <= MAX_CHUNKS_PER_PACKET {
            if let Some(([kind, flags], value, taken)) = straight_tlv(&self.packet[self.offset..]) {
                let c = Chunk {
                    kind: ChunkType(kind),
                    flags,
                    value,
                    offset: self.offset,
                };
                self.offset += taken;
                return Some(Ok(c));
            }
        }
        self.refused()
    }
}

impl<'a> Chunks<'a> {
    /// Why the next chunk (counted already) is refused; the iteration stops there.
    #[cold]
    #[inline(never)]
    fn refused(&mut self) -> Option<Result<Chunk<'a>, DecodeError>> {
        self.failed = true;
        let rest = &self.packet[self.offset..];
        let e = if self.count > MAX_CHUNKS_PER_PACKET {
            DecodeError::new(Layer::Sctp, ErrorKind::TooMany("chunks"), 0)
        } else {
            tlv_error(Layer::Sctp, rest, &[1, 2, CHUNK_HEADER_LEN], "packet")
        };
        Some(Err(e.shifted(self.offset)))
    }
}

/// A TLV laid out as an SCTP chunk (RFC 9260 §3.2), and as M3UA and SUA parameters, which
/// copy that layout (RFC 4666 §3.2): two octets, a 16-bit length counting the 4-octet header,
/// the value, padding to 4 octets that the last one may leave out. Read straight off the
/// bytes when it fits its input: the first two octets, the value, and the octets it takes
/// with its padding. `None` for a length below the header's or past the input
/// ([`tlv_error`] says which).
#[inline]
pub(crate) fn straight_tlv(i: &[u8]) -> Option<([u8; 2], &[u8], usize)> {
    let &[a, b, l0, l1] = i.first_chunk()?;
    let length = usize::from(u16::from_be_bytes([l0, l1]));
    if length < CHUNK_HEADER_LEN || length > i.len() {
        return None;
    }
    let value = &i[CHUNK_HEADER_LEN..length];
    Some(([a, b], value, length.next_multiple_of(4).min(i.len())))
}

/// Why [`straight_tlv`] refused `i` (not empty): its header cut short (`fields`: where the
/// header's fields end, in the layer's own layout), a length below the header's, or a length
/// past `within`, the rest of the input.
#[cold]
pub(crate) fn tlv_error(
    layer: Layer,
    i: &[u8],
    fields: &[usize],
    within: &'static str,
) -> DecodeError {
    let Some(&[_, _, l0, l1]) = i.first_chunk() else {
        return cut_in(layer, i.len(), fields);
    };
    let length = usize::from(u16::from_be_bytes([l0, l1]));
    if length < CHUNK_HEADER_LEN {
        return below(layer, length, CHUNK_HEADER_LEN, 2);
    }
    exceeds(layer, length, i.len(), within, 0)
}

/// What an INIT or INIT-ACK says of its sender (RFC 9260 §3.3.2, §3.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Init<'a> {
    /// The tag the sender will require on every packet sent to it.
    pub(crate) initiate_tag: u32,
    /// The sender's first TSN.
    pub(crate) initial_tsn: u32,
    /// The optional parameters.
    params: &'a [u8],
}

impl Init<'_> {
    /// The sender's addresses the chunk lists (IPv4 and IPv6 Address parameters, types 5
    /// and 6); a parameter cut short ends the list.
    pub(crate) fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        let mut rest = self.params;
        core::iter::from_fn(move || loop {
            let ([t0, t1], value, taken) = straight_tlv(rest)?;
            rest = &rest[taken..];
            match (u16::from_be_bytes([t0, t1]), value.len()) {
                (5, 4) => return Some(IpAddr::from(<[u8; 4]>::try_from(value).ok()?)),
                (6, 16) => return Some(IpAddr::from(<[u8; 16]>::try_from(value).ok()?)),
                _ => {}
            }
        })
    }
}

/// Read an INIT or INIT-ACK chunk's fixed part; `None` when it is cut short or names tag 0,
/// which the receiver refuses (RFC 9260 §3.3.2).
pub(crate) fn parse_sctp_init<'a>(c: &Chunk<'a>) -> Option<Init<'a>> {
    let (&[a, b, c0, d, _, _, _, _, _, _, _, _, t0, t1, t2, t3], params) =
        c.value.split_first_chunk::<16>()?;
    let initiate_tag = u32::from_be_bytes([a, b, c0, d]);
    (initiate_tag != 0).then_some(Init {
        initiate_tag,
        initial_tsn: u32::from_be_bytes([t0, t1, t2, t3]),
        params,
    })
}

/// Decode a DATA or I-DATA chunk (RFC 9260 §3.3.1, RFC 8260 §2.1). Errors are relative to
/// the chunk's value.
#[inline]
pub fn parse_sctp_data_chunk<'a>(c: &Chunk<'a>) -> Result<DataChunk<'a>, DecodeError> {
    let flags = c.flags;
    let (unordered, begin, end) = (flags & 0x04 != 0, flags & 0x02 != 0, flags & 0x01 != 0);
    let (d, data, header) = if c.kind == ChunkType::I_DATA {
        // TSN, stream, reserved, message identifier, then the PPID on a first fragment and
        // the fragment sequence number on the others.
        let Some((&[t0, t1, t2, t3, s0, s1, _, _, m0, m1, m2, m3, p0, p1, p2, p3], data)) =
            c.value.split_first_chunk()
        else {
            return Err(idata_cut(c.value.len()));
        };
        let ppid_or_fsn = u32::from_be_bytes([p0, p1, p2, p3]);
        let (ppid, fsn) = if begin {
            (Ppid(ppid_or_fsn), 0)
        } else {
            (Ppid::UNSPECIFIED, ppid_or_fsn)
        };
        let d = DataChunk {
            tsn: u32::from_be_bytes([t0, t1, t2, t3]),
            stream: u16::from_be_bytes([s0, s1]),
            ssn: u32::from_be_bytes([m0, m1, m2, m3]),
            ppid,
            fsn,
            unordered,
            begin,
            end,
            interleaved: true,
            data,
        };
        (d, data, IDATA_HEADER_LEN - CHUNK_HEADER_LEN)
    } else {
        let Some((&[t0, t1, t2, t3, s0, s1, n0, n1, p0, p1, p2, p3], data)) =
            c.value.split_first_chunk()
        else {
            return Err(cut_in(Layer::Sctp, c.value.len(), &[4, 6, 8, 12]));
        };
        let d = DataChunk {
            tsn: u32::from_be_bytes([t0, t1, t2, t3]),
            stream: u16::from_be_bytes([s0, s1]),
            ssn: u32::from(u16::from_be_bytes([n0, n1])),
            ppid: Ppid(u32::from_be_bytes([p0, p1, p2, p3])),
            fsn: 0,
            unordered,
            begin,
            end,
            interleaved: false,
            data,
        };
        (d, data, DATA_HEADER_LEN - CHUNK_HEADER_LEN)
    };
    if data.is_empty() {
        // RFC 9260 §3.3.1: a DATA chunk with no user data is a protocol violation.
        return Err(DecodeError::new(
            Layer::Sctp,
            ErrorKind::Invalid("DATA chunk without user data"),
            header,
        ));
    }
    Ok(d)
}

/// An I-DATA chunk's value of `len` bytes, shorter than its fixed part: cut in the TSN, the
/// stream, or the ten octets after them.
#[cold]
fn idata_cut(len: usize) -> DecodeError {
    if len < 6 {
        return cut_in(Layer::Sctp, len, &[4, 6]);
    }
    let need = IDATA_HEADER_LEN - CHUNK_HEADER_LEN - 6;
    DecodeError::new(
        Layer::Sctp,
        ErrorKind::Truncated {
            need: need as u32,
            have: (len - 6) as u32,
        },
        6,
    )
}

/// The nom readers the hand-written ones above are held to: every chunk and DATA or I-DATA
/// chunk read alike, every refusal the same error at the same place.
#[cfg(test)]
mod reference {
    use nom::number::complete::{be_u16, be_u32, be_u8};

    use super::super::field::*;
    use super::super::{Chunk, ChunkType, DataChunk, Ppid};
    use crate::error::{
        complete, fail, located, need, take_len, DecodeError, ErrorKind, Layer, PResult,
    };

    /// One chunk and the bytes it takes with its padding.
    pub(super) fn chunk(i: &[u8]) -> Result<(Chunk<'_>, usize), DecodeError> {
        complete(i, Layer::Sctp, located(Layer::Sctp, i, chunk_inner))
    }

    fn chunk_inner(i: &[u8]) -> PResult<'_, (Chunk<'_>, usize)> {
        let (r, kind) = be_u8(i)?;
        let (r, flags) = be_u8(r)?;
        let (_, length) = be_u16(r)?;
        let length = usize::from(length);
        if length < CHUNK_HEADER_LEN {
            return fail(
                &i[2..],
                ErrorKind::LengthBelow {
                    len: length as u32,
                    min: CHUNK_HEADER_LEN as u32,
                },
            );
        }
        let (_, whole) = take_len(i, length, "packet")?;
        let padded = length.next_multiple_of(4).min(i.len());
        let c = Chunk {
            kind: ChunkType(kind),
            flags,
            value: &whole[CHUNK_HEADER_LEN..],
            offset: 0,
        };
        Ok((&i[padded..], (c, padded)))
    }

    /// A DATA or I-DATA chunk.
    pub(super) fn data_chunk<'a>(c: &Chunk<'a>) -> Result<DataChunk<'a>, DecodeError> {
        let interleaved = c.kind == ChunkType::I_DATA;
        let flags = c.flags;
        let begin = flags & 0x02 != 0;
        let r = located(Layer::Sctp, c.value, |i| {
            let (i, tsn) = be_u32(i)?;
            let (i, stream) = be_u16(i)?;
            let (i, ssn, ppid, fsn) = if interleaved {
                let (_, ()) = need(i, IDATA_HEADER_LEN - 10)?;
                let (i, _reserved) = be_u16(i)?;
                let (i, mid) = be_u32(i)?;
                let (i, ppid_or_fsn) = be_u32(i)?;
                if begin {
                    (i, mid, Ppid(ppid_or_fsn), 0)
                } else {
                    (i, mid, Ppid::UNSPECIFIED, ppid_or_fsn)
                }
            } else {
                let (i, ssn) = be_u16(i)?;
                let (i, ppid) = be_u32(i)?;
                (i, u32::from(ssn), Ppid(ppid), 0)
            };
            if i.is_empty() {
                return fail(i, ErrorKind::Invalid("DATA chunk without user data"));
            }
            Ok((
                &i[i.len()..],
                DataChunk {
                    tsn,
                    stream,
                    ssn,
                    ppid,
                    fsn,
                    unordered: flags & 0x04 != 0,
                    begin,
                    end: flags & 0x01 != 0,
                    interleaved,
                    data: i,
                },
            ))
        });
        complete(c.value, Layer::Sctp, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    /// The readers agree with the nom reference on any chunk, whole or cut short: the same
    /// chunk where it reads one, the same error (reason and place) where it refuses; and, for
    /// every DATA or I-DATA chunk read, the same chunk's contents or the same error.
    #[test]
    fn readers_are_the_nom_reference() {
        use proptest::prelude::*;
        let kinds = proptest::sample::select(vec![0u8, 1, 3, 64]);
        let input = (
            kinds,
            any::<u8>(),
            0u16..40,
            proptest::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(kind, flags, len, tail)| {
                let mut i = vec![kind, flags];
                i.extend_from_slice(&len.to_be_bytes());
                i.extend_from_slice(&tail);
                i
            });
        let cut = (input, 1usize..48).prop_map(|(i, n)| i[..n.min(i.len())].to_vec());
        proptest!(|(i in cut)| {
            let mut packet = vec![0u8; HEADER_LEN];
            packet.extend_from_slice(&i);
            let (_, mut chunks) = parse_sctp_packet(&packet).unwrap();
            let got = chunks.next().unwrap().map(|c| Chunk { offset: 0, ..c });
            let want = reference::chunk(&i).map(|(c, _)| c).map_err(|e| e.shifted(HEADER_LEN));
            prop_assert_eq!(got, want);
            if let Ok(c) = got {
                if c.kind == ChunkType::DATA || c.kind == ChunkType::I_DATA {
                    prop_assert_eq!(parse_sctp_data_chunk(&c), reference::data_chunk(&c));
                }
            }
        });
        for n in 0..HEADER_LEN {
            let packet = [0u8; HEADER_LEN];
            let e = parse_sctp_packet(&packet[..n]).unwrap_err();
            let nom = crate::error::located(crate::error::Layer::Sctp, &packet[..n], |i| {
                let (i, _) = nom::number::complete::be_u16::<_, crate::error::PErr>(i)?;
                let (i, _) = nom::number::complete::be_u16(i)?;
                let (i, _) = nom::number::complete::be_u32(i)?;
                nom::number::complete::be_u32(i)
            });
            assert_eq!(Err(nom::Err::Error(e)), nom.map(|_| ()), "{n} bytes");
        }
    }

    #[test]
    fn bundled_chunks_with_and_without_last_padding() {
        let p = hex!(
            "0b59 0b59 00000001 00000000"
            "00 03 0013 00000001 0000 0000 00000003 0102 03 00" // DATA, 3 bytes + 1 pad
            "03 00 0010 00000001 0000ffff 0000 0000"            // SACK
            "00 03 0011 00000002 0001 0001 00000003 ff"         // DATA, 1 byte, no pad
        );
        let (h, chunks) = parse_sctp_packet(&p).unwrap();
        assert_eq!(h.src_port, 2905);
        let chunks: Vec<_> = chunks.collect::<Result<_, _>>().unwrap();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[1].kind, ChunkType::SACK);
        let d = parse_sctp_data_chunk(&chunks[0]).unwrap();
        assert_eq!(d.data, &hex!("010203"));
        assert!(d.is_unfragmented());
        assert_eq!(d.ppid, Ppid::M3UA);
        let d = parse_sctp_data_chunk(&chunks[2]).unwrap();
        assert_eq!((d.tsn, d.stream, d.ssn, d.data), (2, 1, 1, &[0xff][..]));
        assert_eq!(chunks[2].offset, 48);
    }

    #[test]
    fn chunk_length_errors_are_located() {
        let p = hex!("0b59 0b59 00000001 00000000 00 03 0264 00000001");
        let (_, mut chunks) = parse_sctp_packet(&p).unwrap();
        let e = chunks.next().unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "sctp: length 612 exceeds packet (8) at offset 12"
        );
        assert!(chunks.next().is_none());
        let p = hex!("0b59 0b59 00000001 00000000 00 03 0002");
        let e = parse_sctp_packet(&p)
            .unwrap()
            .1
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(e.offset, 14);
        assert!(parse_sctp_packet(&p[..11]).is_err());
    }

    #[test]
    fn empty_data_chunk_is_malformed() {
        let p = hex!("0b59 0b59 00000001 00000000 00 03 0010 00000001 0000 0000 00000003");
        let c = parse_sctp_packet(&p).unwrap().1.next().unwrap().unwrap();
        assert!(parse_sctp_data_chunk(&c).is_err());
    }

    #[test]
    fn i_data_first_and_later_fragment() {
        let first = Chunk {
            kind: ChunkType::I_DATA,
            flags: 0x02,
            value: &hex!("00000005 0002 0000 00000009 0000002e aa"),
            offset: 0,
        };
        let d = parse_sctp_data_chunk(&first).unwrap();
        assert_eq!(
            (d.ssn, d.ppid, d.fsn, d.begin, d.end),
            (9, Ppid::DIAMETER, 0, true, false)
        );
        let later = Chunk {
            flags: 0x01,
            value: &hex!("00000006 0002 0000 00000009 00000001 bb"),
            ..first
        };
        let d = parse_sctp_data_chunk(&later).unwrap();
        assert_eq!((d.ppid, d.fsn, d.end), (Ppid::UNSPECIFIED, 1, true));
    }
}
