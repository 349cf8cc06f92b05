//! Capture files: pcap (either byte order, micro- or nanosecond timestamps) and pcapng (any
//! number of sections and interfaces, enhanced and simple packet blocks), read with a bounded
//! buffer. Each record comes with its capture time in nanoseconds since the epoch and its link
//! type.
//!
//! Classic pcap, what replay and load tests mostly read, is walked here directly: its record
//! header is 16 bytes at fixed offsets, and reading it by hand costs a fraction of the general
//! block parser (`pcap-parser`), which reads everything else. Both give the same records; a
//! test and the `capture` fuzz target hold them to it.
//!
//! Classic pcap's read buffers can be shared ([`CaptureReader::next_placed`]): replay hands
//! workers the records where they lie instead of copying them. A buffer that anyone else still
//! holds is never written again; the reader moves on to one that nobody holds (recycled) and
//! takes only the partial record at the old one's end with it.

use std::io::Read;
use std::sync::Arc;

use pcap_parser::pcapng::Block;
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{create_reader, PcapBlockOwned, PcapError};

use crate::link::LinkType;

/// Read buffer size; grown for records larger than it, up to [`MAX_BUFFER`].
pub const BUFFER: usize = 1 << 20;
/// The largest buffer a single record may need.
pub(crate) const MAX_BUFFER: usize = 64 << 20;

/// A read buffer that the reader shares with whoever keeps records in place.
pub type SharedBuffer = Arc<Vec<u8>>;

/// Buffers the reader keeps for reuse once their holders let go; past this many, the oldest
/// still held is left to its holders.
const SPARE_BUFFERS: usize = 16;

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

/// Classic pcap's magic numbers as the first four bytes read: microseconds or nanoseconds,
/// written little- or big-endian.
const PCAP_MAGIC: [([u8; 4], bool, u64); 4] = [
    ([0xd4, 0xc3, 0xb2, 0xa1], false, 1_000_000),
    ([0xa1, 0xb2, 0xc3, 0xd4], true, 1_000_000),
    ([0x4d, 0x3c, 0xb2, 0xa1], false, 1_000_000_000),
    ([0xa1, 0xb2, 0x3c, 0x4d], true, 1_000_000_000),
];

/// What is read before the format is known, for the general parser.
const FIRST_READ: usize = 64 << 10;

/// The length of classic pcap's file header and of its record header.
const PCAP_HEADER: usize = 24;
const RECORD_HEADER: usize = 16;

/// Classic pcap read by hand: records are parsed where they lie in one large buffer, which is
/// refilled by moving only the partial record at its end to the front.
struct Classic {
    src: Box<dyn Read + Send>,
    /// Written only while nobody else holds it.
    buf: SharedBuffer,
    /// Earlier buffers, for reuse when their holders have let go.
    spare: Vec<SharedBuffer>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    big_endian: bool,
    /// Timestamp fraction units per second.
    units: u64,
    linktype: LinkType,
}

impl Classic {
    /// The four 32-bit words at `at` in the file's byte order.
    #[inline]
    fn words(&self, at: usize) -> [u32; 4] {
        let mut w = [0u32; 4];
        let b = &self.buf[at..at + RECORD_HEADER];
        for (i, x) in w.iter_mut().enumerate() {
            let q = [b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]];
            *x = if self.big_endian {
                u32::from_be_bytes(q)
            } else {
                u32::from_le_bytes(q)
            };
        }
        w
    }

    /// Make `need` unread bytes available; `false` when the input ends first.
    #[inline]
    fn fill(&mut self, need: usize) -> Result<bool, CaptureError> {
        if self.end - self.start >= need {
            return Ok(true);
        }
        self.refill(need)
    }

    #[cold]
    fn refill(&mut self, need: usize) -> Result<bool, CaptureError> {
        if Arc::get_mut(&mut self.buf).is_none() {
            self.move_to_spare();
        }
        // Unique now: `make_mut` copies nothing.
        let buf = Arc::make_mut(&mut self.buf);
        if buf.len() - self.start < need {
            buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if buf.len() < need {
                buf.resize(need.next_power_of_two(), 0);
            }
        }
        while self.end - self.start < need {
            if self.eof {
                return Ok(false);
            }
            match self.src.read(&mut buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(CaptureError::Read),
            }
        }
        Ok(true)
    }

    /// Leave the current buffer to its holders: continue in one nobody holds, with the unread
    /// bytes moved to its front.
    #[cold]
    fn move_to_spare(&mut self) {
        let unread = self.end - self.start;
        let free = self
            .spare
            .iter_mut()
            .position(|b| Arc::get_mut(b).is_some());
        let fresh = match free {
            Some(k) => core::mem::replace(&mut self.spare[k], Arc::clone(&self.buf)),
            None => {
                if self.spare.len() >= SPARE_BUFFERS {
                    self.spare.remove(0);
                }
                self.spare.push(Arc::clone(&self.buf));
                Arc::new(vec![0; BUFFER.max(unread)])
            }
        };
        let held = core::mem::replace(&mut self.buf, fresh);
        let buf = Arc::make_mut(&mut self.buf);
        if buf.len() < unread {
            buf.resize(unread.next_power_of_two(), 0);
        }
        buf[..unread].copy_from_slice(&held[self.start..self.end]);
        (self.start, self.end) = (0, unread);
    }
}

/// What [`Classic::next`] found.
enum ClassicNext {
    /// A record: the bytes it takes with its header, where its data starts in the buffer, its
    /// capture time and its length on the wire.
    Record {
        total: usize,
        at: usize,
        ts_ns: u64,
        orig_len: u32,
    },
    /// The input ended after a whole record.
    End,
    /// The input ended inside a record.
    Truncated,
}

impl Classic {
    /// The record at `start` (not consumed: the caller moves `start` past it later, so that
    /// the record's bytes stay where they are while it is borrowed). `records`: how many came
    /// before it, for errors.
    fn next(&mut self, records: u64) -> Result<ClassicNext, CaptureError> {
        if !self.fill(RECORD_HEADER)? {
            return Ok(if self.end == self.start {
                ClassicNext::End
            } else {
                ClassicNext::Truncated
            });
        }
        let caplen = self.words(self.start)[2] as usize;
        if caplen > MAX_BUFFER - RECORD_HEADER {
            return Err(CaptureError::Corrupt {
                records,
                reason: format!("a record of {caplen} bytes, more than {MAX_BUFFER}"),
            });
        }
        let total = RECORD_HEADER + caplen;
        if !self.fill(total)? {
            return Ok(ClassicNext::Truncated);
        }
        // `fill` may have moved the record to the front.
        let h = self.start;
        let [sec, frac, _, orig_len] = self.words(h);
        let ts = u64::from(sec) * self.units + u64::from(frac);
        Ok(ClassicNext::Record {
            total,
            at: h + RECORD_HEADER,
            ts_ns: ns(ts, self.units, 0),
            orig_len,
        })
    }
}

/// Read until `buf` is full or the input ends; the bytes read.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> Result<usize, CaptureError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(CaptureError::Read),
        }
    }
    Ok(n)
}

enum Inner {
    Classic(Classic),
    General(Box<dyn PcapReaderIterator + Send>),
}

/// Reads records from a capture, in file order.
pub struct CaptureReader<R: Read> {
    inner: Inner,
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
    pub fn new(mut reader: R) -> Result<Self, CaptureError> {
        let mut header = [0u8; PCAP_HEADER];
        let n = read_full(&mut reader, &mut header)?;
        if n == 0 {
            return Err(CaptureError::Empty);
        }
        let magic = PCAP_MAGIC.iter().find(|m| header[..4] == m.0);
        match magic {
            Some(&(_, big_endian, units)) if n == PCAP_HEADER => {
                let mut c = Classic {
                    src: Box::new(reader),
                    buf: Arc::new(vec![0; BUFFER]),
                    spare: Vec::new(),
                    start: 0,
                    end: 0,
                    eof: false,
                    big_endian,
                    units,
                    linktype: LinkType::ETHERNET,
                };
                Arc::make_mut(&mut c.buf)[..PCAP_HEADER].copy_from_slice(&header);
                // The link type's low 16 bits; the bits above carry the FCS length.
                c.linktype = LinkType(c.words(PCAP_HEADER - RECORD_HEADER)[3] & 0xffff);
                (c.start, c.end) = (PCAP_HEADER, PCAP_HEADER);
                Ok(Self::with(Inner::Classic(c)))
            }
            _ => {
                // The general parser decides on what its first read returns: give it what a
                // read of a file would, not just the bytes looked at here.
                let mut head = vec![0; FIRST_READ];
                head[..n].copy_from_slice(&header[..n]);
                let more = if n == PCAP_HEADER {
                    read_full(&mut reader, &mut head[n..])?
                } else {
                    0
                };
                head.truncate(n + more);
                Self::general(std::io::Cursor::new(head).chain(reader))
            }
        }
    }

    /// Start reading with the general block parser whatever the format, which is what
    /// [`CaptureReader::new`] does for everything but classic pcap: for cross-checks.
    pub fn with_general_parser(reader: R) -> Result<Self, CaptureError> {
        Self::general(reader)
    }

    fn general(reader: impl Read + Send + 'static) -> Result<Self, CaptureError> {
        let inner = create_reader(BUFFER, reader).map_err(|e| match e {
            PcapError::Eof => CaptureError::Empty,
            PcapError::ReadError => CaptureError::Read,
            _ => CaptureError::NotACapture,
        })?;
        Ok(Self::with(Inner::General(inner)))
    }

    fn with(inner: Inner) -> Self {
        CaptureReader {
            inner,
            legacy: None,
            interfaces: Vec::new(),
            consume: 0,
            records: 0,
            truncated_tail: false,
            buffer: BUFFER,
            _reader: core::marker::PhantomData,
        }
    }
}

impl<R: Read> CaptureReader<R> {
    /// Whether the file ended in the middle of a record (reported, not an error).
    pub fn truncated_tail(&self) -> bool {
        self.truncated_tail
    }

    /// The next record, or `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        Ok(self.next_placed()?.map(|(rec, _)| rec))
    }

    /// The next record and, for classic pcap, the shared buffer its bytes lie in with their
    /// offset there: a consumer may keep a clone of the buffer instead of copying the bytes
    /// (the reader never writes into a buffer someone else holds). Worth it where reads fill a
    /// whole buffer (a file); a pipe's reads return a few kilobytes, and a held buffer cannot
    /// take the next one, so each would start a buffer of its own.
    #[allow(clippy::type_complexity)]
    pub fn next_placed(
        &mut self,
    ) -> Result<Option<(Record<'_>, Option<(&SharedBuffer, usize)>)>, CaptureError> {
        let consume = core::mem::take(&mut self.consume);
        let inner = match &mut self.inner {
            Inner::Classic(c) => {
                c.start += consume;
                return match c.next(self.records)? {
                    ClassicNext::Record {
                        total,
                        at,
                        ts_ns,
                        orig_len,
                    } => {
                        self.consume = total;
                        self.records += 1;
                        let rec = Record {
                            ts_ns,
                            linktype: c.linktype,
                            data: &c.buf[at..at - RECORD_HEADER + total],
                            orig_len,
                        };
                        Ok(Some((rec, Some((&c.buf, at)))))
                    }
                    ClassicNext::End => Ok(None),
                    ClassicNext::Truncated => {
                        self.truncated_tail = true;
                        Ok(None)
                    }
                };
            }
            Inner::General(g) => g,
        };
        if consume > 0 {
            inner.consume(consume);
        }
        loop {
            // Find the next packet and remember where its bytes are in the read buffer; the
            // slice itself is taken after the parser's borrow has ended.
            let found = match inner.next() {
                Ok((len, block)) => {
                    let packet = match block {
                        PcapBlockOwned::LegacyHeader(h) => {
                            let units = if h.is_nanosecond_precision() {
                                1_000_000_000
                            } else {
                                1_000_000
                            };
                            self.legacy = Some((LinkType(h.network.0 as u32 & 0xffff), units));
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
                    inner.refill().map_err(|_| CaptureError::Read)?;
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
                    inner.grow(self.buffer);
                    inner.refill().map_err(|_| CaptureError::Read)?;
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
                    let buf = inner.data();
                    let start = ptr.saturating_sub(buf.as_ptr() as usize).min(buf.len());
                    let data = &buf[start..(start + n).min(buf.len())];
                    let rec = Record {
                        ts_ns,
                        linktype,
                        data,
                        orig_len,
                    };
                    return Ok(Some((rec, None)));
                }
                Some((len, None)) => inner.consume(len),
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

    /// Records of `n` bytes each, every byte telling its record apart.
    fn numbered(records: u32, n: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
        let data: Vec<Vec<u8>> = (0..records)
            .map(|k| (0..n).map(|i| (k as usize * 7 + i) as u8).collect())
            .collect();
        let recs: Vec<(u32, u32, &[u8])> = data
            .iter()
            .enumerate()
            .map(|(k, d)| (k as u32, 0, &d[..]))
            .collect();
        (pcap(true, false, &recs, 0), data)
    }

    #[test]
    fn held_buffers_are_never_written_again() {
        // 4 MB of records: several refills, every buffer held to the end.
        let (file, want) = numbered(4000, 1000);
        let mut r = CaptureReader::new(Cursor::new(file)).unwrap();
        let mut held = Vec::new();
        while let Some((rec, place)) = r.next_placed().unwrap() {
            let (buf, at) = place.expect("classic pcap is placed");
            assert_eq!(&buf[at..at + rec.data.len()], rec.data);
            held.push((Arc::clone(buf), at, rec.data.len()));
        }
        assert_eq!(held.len(), want.len());
        for ((buf, at, len), want) in held.iter().zip(&want) {
            assert_eq!(&buf[*at..at + len], &want[..]);
        }
    }

    #[test]
    fn released_buffers_are_reused() {
        let (file, want) = numbered(8000, 1000);
        let mut r = CaptureReader::new(Cursor::new(file)).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        let mut k = 0;
        // Hold each buffer only as long as a consumer would hold a batch: a few records.
        let mut window: std::collections::VecDeque<SharedBuffer> = Default::default();
        while let Some((rec, place)) = r.next_placed().unwrap() {
            let (buf, _) = place.unwrap();
            assert_eq!(rec.data, &want[k][..]);
            seen.insert(Arc::as_ptr(buf) as usize);
            window.push_back(Arc::clone(buf));
            if window.len() > 3 {
                window.pop_front();
            }
            k += 1;
        }
        assert_eq!(k, want.len());
        // 8 MB went through: two buffers take turns.
        assert!(seen.len() <= 2, "{} buffers", seen.len());
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
