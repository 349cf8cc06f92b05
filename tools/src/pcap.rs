//! Writing classic pcap files (little-endian, microsecond timestamps, Ethernet).

use std::io::{self, Write};

/// Write the pcap global header.
pub fn write_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
    out.write_all(&2u16.to_le_bytes())?;
    out.write_all(&4u16.to_le_bytes())?;
    out.write_all(&0i32.to_le_bytes())?;
    out.write_all(&0u32.to_le_bytes())?;
    out.write_all(&65_535u32.to_le_bytes())?;
    out.write_all(&1u32.to_le_bytes())
}

/// Write one record.
pub fn write_record(out: &mut impl Write, ts_ns: u64, data: &[u8]) -> io::Result<()> {
    let secs = (ts_ns / 1_000_000_000) as u32;
    let micros = ((ts_ns % 1_000_000_000) / 1_000) as u32;
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
