//! Putting messages on the wire: the links between the home network and its peers (M3UA or
//! M2PA over SCTP, Diameter over SCTP or TCP), with their sequence numbers, VLAN tags, SCTP
//! bundling and fragmentation, XUDT segmentation and TCP segment splits.

use std::net::{IpAddr, Ipv4Addr};

use decoder::link::{EtherType, EthernetSpec};
use decoder::m2pa::{emit_m2pa_user_data, RoutingLabel};
use decoder::m3ua::{emit_m3ua_data, emit_m3ua_message, M3uaDataSpec, MessageClass, MessageType};
use decoder::sccp::{
    emit_sccp_unitdata, AddressSpec, MessageType as SccpType, Segmentation, UnitdataSpec,
};
use decoder::sctp::{ChunkType, DataChunkSpec, Ppid, SctpSpec};
use decoder::stack::{emit_sctp_frame, emit_tcp_frame};
use decoder::tcp::{Segment, TcpSpec};

/// What a link carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bearer {
    /// SS7 over M3UA.
    M3ua,
    /// SS7 over M2PA.
    M2pa,
    /// Diameter over SCTP.
    DiameterSctp,
    /// Diameter over TCP.
    DiameterTcp,
}

/// Which way a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From the home network to the peer.
    Out,
    /// From the peer to the home network.
    In,
}

impl Dir {
    /// The other way.
    pub(crate) fn reversed(self) -> Dir {
        match self {
            Dir::Out => Dir::In,
            Dir::In => Dir::Out,
        }
    }

    fn k(self) -> usize {
        match self {
            Dir::Out => 0,
            Dir::In => 1,
        }
    }
}

/// An SS7 message's SCCP envelope.
#[derive(Debug, Clone)]
pub(crate) struct Sccp {
    /// Calling party global title.
    pub(crate) calling: String,
    /// Calling SSN.
    pub(crate) calling_ssn: u8,
    /// Called party global title.
    pub(crate) called: String,
    /// Called SSN.
    pub(crate) called_ssn: u8,
}

impl Sccp {
    /// The envelope of the answer: calling and called swapped.
    pub(crate) fn reversed(&self) -> Sccp {
        Sccp {
            calling: self.called.clone(),
            calling_ssn: self.called_ssn,
            called: self.calling.clone(),
            called_ssn: self.calling_ssn,
        }
    }
}

/// Options of a link.
#[derive(Debug, Clone, Default)]
pub struct LinkOptions {
    /// VLAN tags on its frames.
    pub vlans: Vec<u16>,
    /// Segment TCAP messages longer than this into two XUDTs (0: never).
    pub xudt_above: usize,
    /// Fragment user messages longer than this over two DATA chunks (0: never).
    pub fragment_above: usize,
    /// Split every other Diameter message over two TCP segments.
    pub split_tcp: bool,
}

/// One link between the home network and a peer.
#[derive(Debug, Clone)]
pub struct Link {
    home: Ipv4Addr,
    peer: Ipv4Addr,
    bearer: Bearer,
    opts: LinkOptions,
    port: u16,
    vtag: [u32; 2],
    tsn: [u32; 2],
    ssn: [u16; 2],
    seq: [u32; 2],
    fsn: [u32; 2],
    messages: u64,
    local_ref: u32,
    started: bool,
}

fn mac(ip: Ipv4Addr) -> [u8; 6] {
    let o = ip.octets();
    [0x02, 0x00, o[0], o[1], o[2], o[3]]
}

impl Link {
    /// A link from the home network's `home` address to `peer`.
    pub fn new(home: Ipv4Addr, peer: Ipv4Addr, bearer: Bearer, opts: LinkOptions, id: u32) -> Link {
        let port = match bearer {
            Bearer::M3ua => 2905,
            Bearer::M2pa => 3565,
            Bearer::DiameterSctp | Bearer::DiameterTcp => 3868,
        };
        Link {
            home,
            peer,
            bearer,
            opts,
            port,
            vtag: [0x1000_0000 + id * 2, 0x2000_0000 + id * 2 + 1],
            tsn: [1000 * id + 1, 5000 * id + 1],
            ssn: [0, 0],
            seq: [100_000 * id + 1, 900_000 * id + 1],
            fsn: [0, 0],
            messages: 0,
            local_ref: id << 16,
            started: false,
        }
    }

    /// The bearer.
    pub(crate) fn bearer(&self) -> Bearer {
        self.bearer
    }

    fn ends(&self, dir: Dir) -> (Ipv4Addr, Ipv4Addr) {
        match dir {
            Dir::Out => (self.home, self.peer),
            Dir::In => (self.peer, self.home),
        }
    }

    fn eth(&self, dir: Dir) -> EthernetSpec {
        let (s, d) = self.ends(dir);
        EthernetSpec {
            dst: mac(d),
            src: mac(s),
            vlans: self.opts.vlans.clone(),
        }
    }

    fn sctp_spec(&self, dir: Dir) -> SctpSpec {
        // SIGTRAN and Diameter peers commonly use the well-known port at both ends.
        SctpSpec {
            src_port: self.port,
            dst_port: self.port,
            vtag: self.vtag[dir.k()],
        }
    }

    /// One SCTP packet with these chunks.
    fn sctp(&self, dir: Dir, chunks: &[DataChunkSpec<'_>]) -> Vec<u8> {
        let (s, d) = self.ends(dir);
        let mut f = Vec::new();
        emit_sctp_frame(
            &mut f,
            &self.eth(dir),
            IpAddr::V4(s),
            IpAddr::V4(d),
            &self.sctp_spec(dir),
            chunks,
        );
        f
    }

    fn ppid(&self) -> Ppid {
        match self.bearer {
            Bearer::M3ua => Ppid::M3UA,
            Bearer::M2pa => Ppid::M2PA,
            Bearer::DiameterSctp | Bearer::DiameterTcp => Ppid::DIAMETER,
        }
    }

    /// Frames carrying these user messages: bundled into one packet, or, for one long message,
    /// fragmented over two packets.
    fn user_messages(&mut self, dir: Dir, msgs: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let k = dir.k();
        let ppid = self.ppid();
        let stream = 1;
        if msgs.len() == 1
            && self.opts.fragment_above > 0
            && msgs[0].len() > self.opts.fragment_above
        {
            let m = &msgs[0];
            let (a, b) = m.split_at(m.len() / 2);
            let ssn = self.ssn[k];
            self.ssn[k] = self.ssn[k].wrapping_add(1);
            let t = self.tsn[k];
            self.tsn[k] = self.tsn[k].wrapping_add(2);
            let part = |tsn, begin, end, data| DataChunkSpec::Data {
                tsn,
                stream,
                ssn,
                ppid,
                begin,
                end,
                data,
            };
            return vec![
                self.sctp(dir, &[part(t, true, false, a)]),
                self.sctp(dir, &[part(t.wrapping_add(1), false, true, b)]),
            ];
        }
        let mut chunks = Vec::new();
        for m in msgs {
            let ssn = self.ssn[k];
            self.ssn[k] = self.ssn[k].wrapping_add(1);
            let t = self.tsn[k];
            self.tsn[k] = self.tsn[k].wrapping_add(1);
            chunks.push(DataChunkSpec::whole(t, stream, ssn, ppid, m));
        }
        vec![self.sctp(dir, &chunks)]
    }

    /// The SIGTRAN bytes carrying one SCCP message.
    fn adaptation(&mut self, dir: Dir, sccp: &[u8]) -> Vec<u8> {
        let k = dir.k();
        let (opc, dpc) = match dir {
            Dir::Out => (1000, 2000 + (self.peer.octets()[2] as u32)),
            Dir::In => (2000 + (self.peer.octets()[2] as u32), 1000),
        };
        let mut out = Vec::new();
        match self.bearer {
            Bearer::M2pa => {
                self.fsn[k] = (self.fsn[k] + 1) & 0x00ff_ffff;
                let route = RoutingLabel {
                    ni: 0,
                    si: 3,
                    opc,
                    dpc,
                    sls: (self.messages % 16) as u8,
                };
                emit_m2pa_user_data(&mut out, self.fsn[1 - k], self.fsn[k], &route, sccp);
            }
            _ => {
                let spec = M3uaDataSpec {
                    opc,
                    dpc,
                    si: 3,
                    ni: 0,
                    mp: 0,
                    sls: (self.messages % 16) as u8,
                    routing_context: Some(1),
                    network_appearance: None,
                };
                emit_m3ua_data(&mut out, &spec, sccp);
            }
        }
        out
    }

    /// Frames carrying SS7 messages (TCAP bytes with their SCCP envelopes), bundled into one
    /// SCTP packet when there are several.
    pub(crate) fn ss7(&mut self, dir: Dir, msgs: &[(Sccp, Vec<u8>)]) -> Vec<Vec<u8>> {
        self.messages += 1;
        let mut user = Vec::new();
        for (env, tcap) in msgs {
            let called = AddressSpec::gt(&env.called, env.called_ssn);
            let calling = AddressSpec::gt(&env.calling, env.calling_ssn);
            if self.opts.xudt_above > 0 && tcap.len() > self.opts.xudt_above && msgs.len() == 1 {
                // Two XUDT segments, each in its own packet.
                self.local_ref = (self.local_ref + 1) & 0x00ff_ffff;
                let (a, b) = tcap.split_at(tcap.len() / 2);
                let mut frames = Vec::new();
                for (first, remaining, data) in [(true, 1u8, a), (false, 0u8, b)] {
                    let mut spec = UnitdataSpec::udt(called.clone(), calling.clone());
                    spec.kind = SccpType::XUDT;
                    spec.segmentation = Some(Segmentation {
                        first,
                        class1: false,
                        remaining,
                        local_ref: self.local_ref,
                    });
                    let mut s = Vec::new();
                    emit_sccp_unitdata(&mut s, &spec, data);
                    let m = self.adaptation(dir, &s);
                    frames.extend(self.user_messages(dir, &[m]));
                }
                return frames;
            }
            let mut s = Vec::new();
            emit_sccp_unitdata(&mut s, &UnitdataSpec::udt(called, calling), tcap);
            user.push(self.adaptation(dir, &s));
        }
        self.user_messages(dir, &user)
    }

    /// An M3UA heartbeat (BEAT), or an M2PA-less SCTP HEARTBEAT on other links.
    pub(crate) fn heartbeat(&mut self, dir: Dir) -> Vec<u8> {
        if self.bearer == Bearer::M3ua {
            let mut m = Vec::new();
            emit_m3ua_message(
                &mut m,
                MessageClass::ASPSM,
                MessageType(3),
                &[(0x0009, b"beat".as_slice())],
            );
            return self.user_messages(dir, &[m]).remove(0);
        }
        self.sctp(
            dir,
            &[DataChunkSpec::Control {
                kind: ChunkType::HEARTBEAT,
                flags: 0,
                value: &[0, 1, 0, 8, 0, 0, 0, 1],
            }],
        )
    }

    /// An SCTP SACK.
    pub(crate) fn sack(&mut self, dir: Dir) -> Vec<u8> {
        let cum = self.tsn[1 - dir.k()].wrapping_sub(1).to_be_bytes();
        let mut v = cum.to_vec();
        v.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
        self.sctp(
            dir,
            &[DataChunkSpec::Control {
                kind: ChunkType::SACK,
                flags: 0,
                value: &v,
            }],
        )
    }

    fn tcp(&mut self, dir: Dir, flags: u8, payload: &[u8]) -> Vec<u8> {
        let k = dir.k();
        let (s, d) = self.ends(dir);
        let (sp, dp) = match dir {
            Dir::Out => (self.port, 41000),
            Dir::In => (41000, self.port),
        };
        let spec = TcpSpec {
            src: IpAddr::V4(s),
            dst: IpAddr::V4(d),
            src_port: sp,
            dst_port: dp,
            seq: self.seq[k],
            ack: self.seq[1 - k],
            flags,
        };
        let advance = payload.len() as u32 + u32::from(flags & Segment::SYN != 0);
        self.seq[k] = self.seq[k].wrapping_add(advance);
        let mut f = Vec::new();
        emit_tcp_frame(&mut f, &self.eth(dir), &spec, payload);
        f
    }

    /// Frames carrying one Diameter message.
    pub fn diameter(&mut self, dir: Dir, msg: &[u8]) -> Vec<Vec<u8>> {
        self.messages += 1;
        match self.bearer {
            Bearer::DiameterTcp => {
                let mut frames = Vec::new();
                if !self.started {
                    self.started = true;
                    frames.push(self.tcp(Dir::In, Segment::SYN, &[]));
                    frames.push(self.tcp(Dir::Out, Segment::SYN | Segment::ACK, &[]));
                    frames.push(self.tcp(Dir::In, Segment::ACK, &[]));
                }
                if self.opts.split_tcp && self.messages.is_multiple_of(2) && msg.len() > 40 {
                    let (a, b) = msg.split_at(msg.len() / 3);
                    frames.push(self.tcp(dir, Segment::ACK, a));
                    frames.push(self.tcp(dir, Segment::ACK, b));
                } else {
                    frames.push(self.tcp(dir, Segment::ACK, msg));
                }
                frames
            }
            _ => self.user_messages(dir, &[msg.to_vec()]),
        }
    }
}

/// An ARP request frame (traffic a tap sees that is not signalling).
pub(crate) fn arp(n: u8) -> Vec<u8> {
    let mut f = Vec::new();
    let mut body = vec![0, 1, 8, 0, 6, 4, 0, 1];
    body.extend_from_slice(&[0x02, 0, 10, 0, 0, n]);
    body.extend_from_slice(&[10, 0, 0, n]);
    body.extend_from_slice(&[0; 6]);
    body.extend_from_slice(&[10, 0, 0, 254]);
    decoder::link::emit_ethernet(
        &mut f,
        &EthernetSpec {
            dst: [0xff; 6],
            src: [0x02, 0, 10, 0, 0, n],
            vlans: Vec::new(),
        },
        EtherType::ARP,
        &body,
    );
    f
}
