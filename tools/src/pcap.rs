//! Writing classic pcap files (little-endian, microsecond timestamps, Ethernet), as
//! libpcap's savefile format lays them out.

use std::io::{self, Write};

/// The magic number of a classic pcap file with microsecond timestamps.
const MAGIC_MICROSECONDS: u32 = 0xa1b2_c3d4;
/// The format's version, 2.4.
const VERSION: (u16, u16) = (2, 4);
/// The longest frame a record holds.
const SNAPLEN: u32 = 65_535;
/// LINKTYPE_ETHERNET.
const LINKTYPE_ETHERNET: u32 = 1;
const NS_PER_SECOND: u64 = 1_000_000_000;
const NS_PER_MICROSECOND: u64 = 1_000;

/// Write the pcap global header: magic, version, time zone offset and accuracy (both 0),
/// snapshot length, link type.
pub fn write_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&MAGIC_MICROSECONDS.to_le_bytes())?;
    out.write_all(&VERSION.0.to_le_bytes())?;
    out.write_all(&VERSION.1.to_le_bytes())?;
    out.write_all(&0i32.to_le_bytes())?;
    out.write_all(&0u32.to_le_bytes())?;
    out.write_all(&SNAPLEN.to_le_bytes())?;
    out.write_all(&LINKTYPE_ETHERNET.to_le_bytes())
}

/// Write one record: seconds, microseconds, the captured and original lengths (alike), the
/// frame.
pub fn write_record(out: &mut impl Write, ts_ns: u64, data: &[u8]) -> io::Result<()> {
    let secs = (ts_ns / NS_PER_SECOND) as u32;
    let micros = ((ts_ns % NS_PER_SECOND) / NS_PER_MICROSECOND) as u32;
    out.write_all(&secs.to_le_bytes())?;
    out.write_all(&micros.to_le_bytes())?;
    out.write_all(&(data.len() as u32).to_le_bytes())?;
    out.write_all(&(data.len() as u32).to_le_bytes())?;
    out.write_all(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoder::capture::CaptureReader;

    #[test]
    fn readable_by_the_decoder() {
        let mut v = Vec::new();
        write_header(&mut v).unwrap();
        write_record(&mut v, 1_500_000_123_000, b"frame").unwrap();
        let mut r = CaptureReader::new(std::io::Cursor::new(v)).unwrap();
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!((rec.ts_ns, rec.data), (1_500_000_123_000, &b"frame"[..]));
    }
}
