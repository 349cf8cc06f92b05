//! Capture files: pcap (either byte order, micro- or nanosecond timestamps) and pcapng (any
//! number of sections and interfaces, enhanced and simple packet blocks), read through
//! `pcap-parser` with a bounded buffer. Each record comes with its capture time in
//! nanoseconds since the epoch and its link type.

use std::io::Read;

use pcap_parser::pcapng::Block;
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{create_reader, PcapBlockOwned, PcapError};

use crate::link::LinkType;

/// Read buffer size; grown for records larger than it, up to [`MAX_BUFFER`].
pub const BUFFER: usize = 1 << 20;
/// The largest buffer a single record may need.
pub const MAX_BUFFER: usize = 64 << 20;

/// Why a capture could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The file holds no bytes at all.
    #[error("empty file")]
    Empty,
    /// Neither a pcap nor a pcapng header.
    #[error("not a pcap or pcapng capture")]
    NotACapture,
    /// The operating system failed a read.
    #[error("read error")]
    Read,
    /// A block that cannot be parsed, after `records` good ones.
    #[error("corrupt block after record {records}: {reason}")]
    Corrupt {
        /// Records read before it.
        records: u64,
        /// What the parser said.
        reason: String,
    },
}

/// One captured frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Capture time, nanoseconds since the Unix epoch.
    pub ts_ns: u64,
    /// How to read `data`.
    pub linktype: LinkType,
    /// The captured bytes.
    pub data: &'a [u8],
    /// The frame's length on the wire (more than `data.len()` if the capture cut it).
    pub orig_len: u32,
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: LinkType,
    /// Timestamp units per second.
    units: u64,
    /// Seconds to add.
    offset_s: i64,
}

/// Reads records from a capture, in file order.
pub struct CaptureReader<R: Read> {
    inner: Box<dyn PcapReaderIterator + Send>,
    legacy: Option<(LinkType, u64)>,
    interfaces: Vec<Interface>,
    consume: usize,
    records: u64,
    truncated_tail: bool,
    buffer: usize,
    _reader: core::marker::PhantomData<R>,
}

impl<R: Read> core::fmt::Debug for CaptureReader<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("records", &self.records)
            .field("interfaces", &self.interfaces.len())
            .finish()
    }
}

fn ns(ts_units: u64, units: u64, offset_s: i64) -> u64 {
    // The common resolutions without a division.
    if offset_s == 0 {
        match units {
            1_000_000 => return ts_units.saturating_mul(1_000),
            1_000_000_000 => return ts_units,
            _ => {}
        }
    }
    let units = units.max(1);
    let secs = (ts_units / units) as i64 + offset_s;
    let frac = u128::from(ts_units % units) * 1_000_000_000 / u128::from(units);
    (secs.max(0) as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(frac as u64)
}

impl<R: Read + Send + 'static> CaptureReader<R> {
    /// Start reading; fails at once if the input is not a capture.
    pub fn new(reader: R) -> Result<Self, CaptureError> {
        let inner = create_reader(BUFFER, reader).map_err(|e| match e {
            PcapError::Eof => CaptureError::Empty,
            PcapError::ReadError => CaptureError::Read,
            _ => CaptureError::NotACapture,
        })?;
        Ok(CaptureReader {
            inner,
            legacy: None,
            interfaces: Vec::new(),
            consume: 0,
            records: 0,
            truncated_tail: false,
            buffer: BUFFER,
            _reader: core::marker::PhantomData,
        })
    }
}

impl<R: Read> CaptureReader<R> {
    /// Records read so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Whether the file ended in the middle of a record (reported, not an error).
    pub fn truncated_tail(&self) -> bool {
        self.truncated_tail
    }

    /// The next record, or `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        if self.consume > 0 {
            self.inner.consume(self.consume);
            self.consume = 0;
        }
        loop {
            // Find the next packet and remember where its bytes are in the read buffer; the
            // slice itself is taken after the parser's borrow has ended.
            let found = match self.inner.next() {
                Ok((len, block)) => {
                    let packet = match block {
                        PcapBlockOwned::LegacyHeader(h) => {
                            let units = if h.is_nanosecond_precision() {
                                1_000_000_000
                            } else {
                                1_000_000
                            };
                            self.legacy = Some((LinkType(h.network.0 as u32), units));
                            None
                        }
                        PcapBlockOwned::Legacy(b) => {
                            let (lt, units) =
                                self.legacy.unwrap_or((LinkType::ETHERNET, 1_000_000));
                            let ts = u64::from(b.ts_sec) * units + u64::from(b.ts_usec);
                            let data = &b.data[..(b.caplen as usize).min(b.data.len())];
                            Some((
                                ns(ts, units, 0),
                                lt,
                                data.as_ptr() as usize,
                                data.len(),
                                b.origlen,
                            ))
                        }
                        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
                            self.interfaces.clear();
                            None
                        }
                        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                            self.interfaces.push(Interface {
                                linktype: LinkType(idb.linktype.0 as u32),
                                units: idb.ts_resolution().unwrap_or(1_000_000),
                                offset_s: idb.ts_offset(),
                            });
                            None
                        }
                        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                            let ifc = self.interfaces.get(epb.if_id as usize).copied().unwrap_or(
                                Interface {
                                    linktype: LinkType::ETHERNET,
                                    units: 1_000_000,
                                    offset_s: 0,
                                },
                            );
                            let ts = u64::from(epb.ts_high) << 32 | u64::from(epb.ts_low);
                            let data = epb.packet_data();
                            Some((
                                ns(ts, ifc.units, ifc.offset_s),
                                ifc.linktype,
                                data.as_ptr() as usize,
                                data.len(),
                                epb.origlen,
                            ))
                        }
                        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                            let lt = self
                                .interfaces
                                .first()
                                .map_or(LinkType::ETHERNET, |i| i.linktype);
                            let data = spb.packet_data();
                            Some((0, lt, data.as_ptr() as usize, data.len(), spb.origlen))
                        }
                        PcapBlockOwned::NG(_) => None,
                    };
                    Some((len, packet))
                }
                Err(PcapError::Eof) => return Ok(None),
                Err(PcapError::UnexpectedEof) => {
                    self.truncated_tail = true;
                    return Ok(None);
                }
                Err(PcapError::Incomplete(_)) => {
                    self.inner.refill().map_err(|_| CaptureError::Read)?;
                    None
                }
                Err(PcapError::BufferTooSmall) => {
                    if self.buffer >= MAX_BUFFER {
                        return Err(CaptureError::Corrupt {
                            records: self.records,
                            reason: format!("a block larger than {MAX_BUFFER} bytes"),
                        });
                    }
                    self.buffer *= 4;
                    self.inner.grow(self.buffer);
                    self.inner.refill().map_err(|_| CaptureError::Read)?;
                    None
                }
                Err(e) => {
                    return Err(CaptureError::Corrupt {
                        records: self.records,
                        reason: e.to_string(),
                    })
                }
            };
            match found {
                Some((len, Some((ts_ns, linktype, ptr, n, orig_len)))) => {
                    self.consume = len;
                    self.records += 1;
                    let buf = self.inner.data();
                    let start = ptr.saturating_sub(buf.as_ptr() as usize).min(buf.len());
                    let data = &buf[start..(start + n).min(buf.len())];
                    return Ok(Some(Record {
                        ts_ns,
                        linktype,
                        data,
                        orig_len,
                    }));
                }
                Some((len, None)) => self.inner.consume(len),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn pcap(le: bool, nanos: bool, records: &[(u32, u32, &[u8])], cut: usize) -> Vec<u8> {
        let w32 = |v: &mut Vec<u8>, x: u32| {
            v.extend_from_slice(&if le { x.to_le_bytes() } else { x.to_be_bytes() })
        };
        let w16 = |v: &mut Vec<u8>, x: u16| {
            v.extend_from_slice(&if le { x.to_le_bytes() } else { x.to_be_bytes() })
        };
        let mut v = Vec::new();
        w32(&mut v, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 });
        w16(&mut v, 2);
        w16(&mut v, 4);
        w32(&mut v, 0);
        w32(&mut v, 0);
        w32(&mut v, 65535);
        w32(&mut v, 1);
        for (s, frac, data) in records {
            w32(&mut v, *s);
            w32(&mut v, *frac);
            w32(&mut v, data.len() as u32);
            w32(&mut v, data.len() as u32);
            v.extend_from_slice(data);
        }
        v.truncate(v.len() - cut);
        v
    }

    fn read_all(bytes: Vec<u8>) -> (Vec<(u64, Vec<u8>)>, bool) {
        let mut r = CaptureReader::new(Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push((rec.ts_ns, rec.data.to_vec()));
        }
        (out, r.truncated_tail())
    }

    #[test]
    fn pcap_both_byte_orders_and_precisions() {
        for le in [true, false] {
            let (recs, cut) = read_all(pcap(le, false, &[(1, 500_000, b"ab"), (2, 1, b"cde")], 0));
            assert_eq!(
                recs,
                vec![
                    (1_500_000_000, b"ab".to_vec()),
                    (2_000_001_000, b"cde".to_vec())
                ]
            );
            assert!(!cut);
            let (recs, _) = read_all(pcap(le, true, &[(1, 5, b"x")], 0));
            assert_eq!(recs[0].0, 1_000_000_005);
        }
    }

    #[test]
    fn truncated_last_record_is_reported_not_fatal() {
        let (recs, cut) = read_all(pcap(true, false, &[(1, 0, b"abc"), (2, 0, b"defgh")], 2));
        assert_eq!(recs.len(), 1);
        assert!(cut);
    }

    #[test]
    fn not_a_capture_and_empty() {
        assert!(matches!(
            CaptureReader::new(Cursor::new(b"hello world, not a pcap".to_vec())),
            Err(CaptureError::NotACapture)
        ));
        assert!(matches!(
            CaptureReader::new(Cursor::new(Vec::new())),
            Err(CaptureError::Empty)
        ));
    }

    #[test]
    fn pcapng_two_interfaces_with_resolutions() {
        let mut v = Vec::new();
        let block = |v: &mut Vec<u8>, t: u32, body: &[u8]| {
            let len = (12 + body.len()) as u32;
            v.extend_from_slice(&t.to_le_bytes());
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(body);
            v.extend_from_slice(&len.to_le_bytes());
        };
        // Section header.
        block(
            &mut v,
            0x0a0d_0d0a,
            &[
                0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            ],
        );
        // Interface 0: Ethernet, default microseconds. Interface 1: SLL, nanoseconds (tsresol 9).
        block(&mut v, 1, &[1, 0, 0, 0, 0, 0, 0, 0]);
        block(
            &mut v,
            1,
            &[113, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0],
        );
        let epb = |if_id: u32, ts: u64, data: &[u8]| {
            let mut b = Vec::new();
            b.extend_from_slice(&if_id.to_le_bytes());
            b.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
            b.extend_from_slice(&(ts as u32).to_le_bytes());
            b.extend_from_slice(&(data.len() as u32).to_le_bytes());
            b.extend_from_slice(&(data.len() as u32).to_le_bytes());
            b.extend_from_slice(data);
            while b.len() % 4 != 0 {
                b.push(0);
            }
            b
        };
        block(&mut v, 6, &epb(0, 1_500_000, b"eth"));
        block(&mut v, 6, &epb(1, 2_000_000_007, b"sll!!"));
        let mut r = CaptureReader::new(Cursor::new(v)).unwrap();
        let a = r.next_record().unwrap().unwrap();
        assert_eq!(
            (a.ts_ns, a.linktype, a.data),
            (1_500_000_000, LinkType::ETHERNET, &b"eth"[..])
        );
        let b = r.next_record().unwrap().unwrap();
        assert_eq!(
            (b.ts_ns, b.linktype, b.data),
            (2_000_000_007, LinkType::LINUX_SLL, &b"sll!!"[..])
        );
        assert!(r.next_record().unwrap().is_none());
    }
}
