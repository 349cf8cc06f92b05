use nom::number::complete::{be_u16, be_u32, be_u8};

use super::field::*;
use super::{Chunk, ChunkType, CommonHeader, DataChunk, Ppid, MAX_CHUNKS_PER_PACKET};
use crate::error::{
    complete, fail, located, need, take_len, DecodeError, ErrorKind, Layer, PResult,
};

/// Decode the common header; the chunks follow as an iterator.
pub fn parse_sctp_packet(data: &[u8]) -> Result<(CommonHeader, Chunks<'_>), DecodeError> {
    let chunks = Chunks {
        packet: data,
        offset: HEADER_LEN,
        count: 0,
        failed: false,
    };
    if let Some(&[p0, p1, p2, p3, v0, v1, v2, v3, c0, c1, c2, c3]) = data.first_chunk() {
        let header = CommonHeader {
            src_port: u16::from_be_bytes([p0, p1]),
            dst_port: u16::from_be_bytes([p2, p3]),
            vtag: u32::from_be_bytes([v0, v1, v2, v3]),
            checksum: u32::from_be_bytes([c0, c1, c2, c3]),
        };
        return Ok((header, chunks));
    }
    let r = located(Layer::Sctp, data, |i| {
        let (i, src_port) = be_u16(i)?;
        let (i, dst_port) = be_u16(i)?;
        let (i, vtag) = be_u32(i)?;
        let (i, checksum) = be_u32(i)?;
        Ok((
            i,
            CommonHeader {
                src_port,
                dst_port,
                vtag,
                checksum,
            },
        ))
    });
    let header = complete(data, Layer::Sctp, r)?;
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
            if let Some((mut c, consumed)) = straight_chunk(&self.packet[self.offset..]) {
                c.offset = self.offset;
                self.offset += consumed;
                return Some(Ok(c));
            }
        }
        self.refused()
    }
}

impl<'a> Chunks<'a> {
    /// The general reading of the next chunk (counted already), which says why one is
    /// refused.
    #[cold]
    #[inline(never)]
    fn refused(&mut self) -> Option<Result<Chunk<'a>, DecodeError>> {
        let rest = &self.packet[self.offset..];
        let r = if self.count > MAX_CHUNKS_PER_PACKET {
            Err(DecodeError::new(
                Layer::Sctp,
                ErrorKind::TooMany("chunks"),
                0,
            ))
        } else {
            complete(rest, Layer::Sctp, located(Layer::Sctp, rest, chunk))
        };
        match r {
            Ok((mut c, consumed)) => {
                c.offset = self.offset;
                self.offset += consumed;
                Some(Ok(c))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e.shifted(self.offset)))
            }
        }
    }
}

/// A TLV laid out as an SCTP chunk (RFC 9260 §3.2), and as M3UA and SUA parameters, which
/// copy that layout (RFC 4666 §3.2): two octets, a 16-bit length counting the 4-octet header,
/// the value, padding to 4 octets that the last one may leave out. Read straight off the
/// bytes when it fits its input: the first two octets, the value, and the octets it takes
/// with its padding. `None` for a length below the header's or past the input.
#[inline]
pub fn straight_tlv(i: &[u8]) -> Option<([u8; 2], &[u8], usize)> {
    let &[a, b, l0, l1] = i.first_chunk()?;
    let length = usize::from(u16::from_be_bytes([l0, l1]));
    if length < CHUNK_HEADER_LEN || length > i.len() {
        return None;
    }
    let value = &i[CHUNK_HEADER_LEN..length];
    Some(([a, b], value, length.next_multiple_of(4).min(i.len())))
}

/// A chunk that fits its input, read straight off the bytes ([`straight_tlv`]), and the bytes
/// it takes with its padding. `None` for anything [`chunk`] would refuse; where both read a
/// chunk they read the same one.
#[inline]
fn straight_chunk(i: &[u8]) -> Option<(Chunk<'_>, usize)> {
    let ([kind, flags], value, taken) = straight_tlv(i)?;
    let c = Chunk {
        kind: ChunkType(kind),
        flags,
        value,
        offset: 0,
    };
    Some((c, taken))
}

/// One chunk and the bytes it takes with its padding.
fn chunk(i: &[u8]) -> PResult<'_, (Chunk<'_>, usize)> {
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
    // Chunks are padded to 4 bytes; a sender may leave the last chunk's padding out.
    let padded = length.next_multiple_of(4).min(i.len());
    Ok((
        &i[padded..],
        (
            Chunk {
                kind: ChunkType(kind),
                flags,
                value: &whole[CHUNK_HEADER_LEN..],
                offset: 0,
            },
            padded,
        ),
    ))
}

/// Decode a DATA or I-DATA chunk. Errors are relative to the chunk's value.
pub fn parse_sctp_data_chunk<'a>(c: &Chunk<'a>) -> Result<DataChunk<'a>, DecodeError> {
    match straight_data_chunk(c) {
        Some(d) => Ok(d),
        None => data_chunk(c),
    }
}

/// A DATA chunk (not I-DATA) with user data, read straight off the bytes. `None` for
/// anything else; where [`data_chunk`] reads the chunk it reads the same.
#[inline]
fn straight_data_chunk<'a>(c: &Chunk<'a>) -> Option<DataChunk<'a>> {
    if c.kind == ChunkType::I_DATA {
        return None;
    }
    let (&[t0, t1, t2, t3, s0, s1, n0, n1, p0, p1, p2, p3], data) = c.value.split_first_chunk()?;
    if data.is_empty() {
        return None;
    }
    Some(DataChunk {
        tsn: u32::from_be_bytes([t0, t1, t2, t3]),
        stream: u16::from_be_bytes([s0, s1]),
        ssn: u32::from(u16::from_be_bytes([n0, n1])),
        ppid: Ppid(u32::from_be_bytes([p0, p1, p2, p3])),
        fsn: 0,
        unordered: c.flags & 0x04 != 0,
        begin: c.flags & 0x02 != 0,
        end: c.flags & 0x01 != 0,
        interleaved: false,
        data,
    })
}

/// The general reading of a DATA or I-DATA chunk, which says why one is refused.
#[cold]
#[inline(never)]
fn data_chunk<'a>(c: &Chunk<'a>) -> Result<DataChunk<'a>, DecodeError> {
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
            // RFC 9260 §3.3.1: a DATA chunk with no user data is a protocol violation.
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

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    /// The straight readings of a chunk and of a DATA chunk agree with the general ones: each
    /// reads exactly what the general one reads (or, for DATA, a part of it), the same way.
    #[test]
    fn straight_chunk_reading_is_the_general_one() {
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
        let cut = (input, 0usize..48).prop_map(|(i, n)| i[..n.min(i.len())].to_vec());
        proptest!(|(i in cut)| {
            let general = chunk(&i).ok().map(|(_, c)| c);
            prop_assert_eq!(straight_chunk(&i), general);
            if let Some((c, _)) = general {
                if let Some(d) = straight_data_chunk(&c) {
                    prop_assert_eq!(Ok(d), data_chunk(&c));
                } else {
                    let data = c.kind != ChunkType::I_DATA && c.value.len() > 12;
                    prop_assert!(!data, "a DATA chunk left to the general reading");
                }
            }
        });
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
