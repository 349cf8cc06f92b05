use core::net::IpAddr;

use crate::ip::{emit_ipv4, emit_ipv6, IpProtocol, Ipv4Spec};
use crate::link::{emit_ethernet, EtherType, EthernetSpec};
use crate::sctp::{emit_sctp_packet, DataChunkSpec, SctpSpec};
use crate::tcp::{emit_tcp_segment, TcpSpec};

/// Append an IP packet (v4 or v6 after the addresses) carrying `payload`, inside Ethernet.
pub fn emit_ip_frame(
    out: &mut Vec<u8>,
    eth: &EthernetSpec,
    src: IpAddr,
    dst: IpAddr,
    protocol: IpProtocol,
    payload: &[u8],
) {
    let mut ip = Vec::with_capacity(payload.len() + 40);
    let ethertype = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            emit_ipv4(&mut ip, &Ipv4Spec::new(s, d), protocol, payload);
            EtherType::IPV4
        }
        (s, d) => {
            let v6 = |a: IpAddr| match a {
                IpAddr::V4(a) => a.to_ipv6_mapped(),
                IpAddr::V6(a) => a,
            };
            emit_ipv6(&mut ip, v6(s), v6(d), protocol, payload);
            EtherType::IPV6
        }
    };
    emit_ethernet(out, eth, ethertype, &ip);
}

/// Append an Ethernet/IP/SCTP frame carrying `chunks`.
pub fn emit_sctp_frame(
    out: &mut Vec<u8>,
    eth: &EthernetSpec,
    src: IpAddr,
    dst: IpAddr,
    sctp: &SctpSpec,
    chunks: &[DataChunkSpec<'_>],
) {
    let mut seg = Vec::new();
    emit_sctp_packet(&mut seg, sctp, chunks);
    emit_ip_frame(out, eth, src, dst, IpProtocol::SCTP, &seg);
}

/// Append an Ethernet/IP/TCP frame carrying `payload`.
pub fn emit_tcp_frame(out: &mut Vec<u8>, eth: &EthernetSpec, tcp: &TcpSpec, payload: &[u8]) {
    let mut seg = Vec::new();
    emit_tcp_segment(&mut seg, tcp, payload);
    emit_ip_frame(out, eth, tcp.src, tcp.dst, IpProtocol::TCP, &seg);
}
