use nom::number::complete::{be_u16, be_u32};

use super::field::*;
use super::Segment;
use crate::error::{complete, fail, located, need, DecodeError, ErrorKind, Layer};

/// Decode a TCP header (RFC 9293 §3.1); options are skipped.
pub(crate) fn parse_tcp_segment(data: &[u8]) -> Result<Segment<'_>, DecodeError> {
    let r = located(Layer::Tcp, data, |i| {
        let (_, ()) = need(i, HEADER_LEN)?;
        let (_, src_port) = be_u16(&i[SRC_PORT])?;
        let (_, dst_port) = be_u16(&i[DST_PORT])?;
        let (_, seq) = be_u32(&i[SEQ])?;
        let (_, ack) = be_u32(&i[ACK])?;
        let header_len = usize::from(i[DATA_OFFSET] >> 4) * 4;
        if header_len < HEADER_LEN {
            return fail(
                &i[DATA_OFFSET..],
                ErrorKind::LengthBelow {
                    len: header_len as u32,
                    min: HEADER_LEN as u32,
                },
            );
        }
        if header_len > i.len() {
            return fail(
                &i[DATA_OFFSET..],
                ErrorKind::LengthExceeds {
                    len: header_len as u32,
                    avail: i.len() as u32,
                    within: "segment",
                },
            );
        }
        Ok((
            &i[i.len()..],
            Segment {
                src_port,
                dst_port,
                seq,
                ack,
                flags: i[FLAGS],
                payload: &i[header_len..],
                offset: header_len,
            },
        ))
    });
    complete(data, Layer::Tcp, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn header_with_options() {
        let s = hex!("0f1c 8932 00000064 00000001 6018 ffff 0000 0000 020405b4 abcd");
        let seg = parse_tcp_segment(&s).unwrap();
        assert_eq!((seg.src_port, seg.dst_port, seg.seq), (3868, 35122, 100));
        assert_eq!(seg.payload, &hex!("abcd"));
        assert_eq!(seg.offset, 24);
        assert_eq!(seg.flags & Segment::ACK, Segment::ACK);
    }

    #[test]
    fn bad_data_offsets() {
        let s = hex!("0f1c 8932 00000064 00000001 4018 ffff 0000 0000");
        assert!(matches!(
            parse_tcp_segment(&s).unwrap_err().kind,
            ErrorKind::LengthBelow { .. }
        ));
        let s = hex!("0f1c 8932 00000064 00000001 f018 ffff 0000 0000");
        let e = parse_tcp_segment(&s).unwrap_err();
        assert_eq!(
            (e.offset, e.to_string().contains("exceeds segment")),
            (12, true)
        );
    }
}
