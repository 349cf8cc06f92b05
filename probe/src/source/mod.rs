//! Sources of frames. Pcap replay ([`pcap`]) reads files on its own thread and hands workers
//! batches through SPSC rings; DPDK (feature `dpdk`) has each worker poll its own NIC queues.
//! Either way a worker sees the same thing: frames with their capture time, then a watermark
//! saying that no frame ordered below it will come to it any more.

#[cfg(feature = "dpdk")]
pub mod dpdk;
pub(crate) mod pcap;

use decoder::capture::SharedBuffer;
use decoder::link::LinkType;

/// A frame, borrowed from a batch or an mbuf.
#[derive(Debug, Clone, Copy)]
pub struct FrameRef<'a> {
    /// Frame number (replay: in capture order from 1, over all files and loops; live: in
    /// order of arrival from 1, over all queues).
    pub number: u64,
    /// Order key: frames are judged in this order across workers (replay: the frame number;
    /// live: the capture time).
    pub order: u64,
    /// Capture time, ns since the epoch.
    pub ts_ns: u64,
    /// Link type.
    pub linktype: LinkType,
    /// The bytes.
    pub data: &'a [u8],
    /// This frame starts a new pass over a looped capture: transport flows start over.
    pub restart: bool,
}

/// Where one frame sits: in a batch's arena or in one of its read buffers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameMeta {
    /// Frame number.
    pub number: u64,
    /// Capture time, ns.
    pub ts_ns: u64,
    /// Link type.
    pub linktype: LinkType,
    /// Offset in the arena or buffer.
    pub(crate) offset: u32,
    /// Length.
    pub(crate) len: u32,
    /// 0: the bytes are in the arena (`data`); k: in `buffers[k - 1]`.
    pub(crate) buffer: u16,
    /// See [`FrameRef::restart`].
    pub restart: bool,
}

/// Frames for one worker: left in the read buffers they were read into (classic pcap), or
/// copied into the batch's arena; batches are recycled, never freed.
#[derive(Debug, Default)]
pub(crate) struct FrameBatch {
    /// The bytes of frames that were copied.
    pub data: Vec<u8>,
    /// The read buffers other frames lie in, held until the batch is cleared.
    pub(crate) buffers: Vec<SharedBuffer>,
    /// The frames.
    pub frames: Vec<FrameMeta>,
    /// No frame numbered at or below this will be sent to this worker after this batch.
    pub watermark: u64,
    /// The capture time of the frame numbered `watermark`.
    pub watermark_ts: u64,
    /// The source has finished: no batch follows.
    pub(crate) last: bool,
}

impl FrameBatch {
    /// An empty batch with room for `frames` frames of `bytes` bytes in all.
    pub(crate) fn with_capacity(frames: usize, bytes: usize) -> Self {
        FrameBatch {
            data: Vec::with_capacity(bytes),
            buffers: Vec::with_capacity(4),
            frames: Vec::with_capacity(frames),
            watermark: 0,
            watermark_ts: 0,
            last: false,
        }
    }

    /// Empty it for reuse (keeps its memory, lets go of the read buffers).
    pub(crate) fn clear(&mut self) {
        self.data.clear();
        self.buffers.clear();
        self.frames.clear();
        self.watermark = 0;
        self.watermark_ts = 0;
        self.last = false;
    }

    /// Append a frame by copying its bytes.
    pub(crate) fn push(
        &mut self,
        number: u64,
        ts_ns: u64,
        linktype: LinkType,
        data: &[u8],
        restart: bool,
    ) {
        let offset = self.data.len() as u32;
        self.data.extend_from_slice(data);
        self.frames.push(FrameMeta {
            number,
            ts_ns,
            linktype,
            offset,
            len: data.len() as u32,
            buffer: 0,
            restart,
        });
    }

    /// Append a frame that lies in `buffer` at `offset`, without copying it: the batch holds
    /// the buffer until it is cleared.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_placed(
        &mut self,
        number: u64,
        ts_ns: u64,
        linktype: LinkType,
        buffer: &SharedBuffer,
        offset: usize,
        len: usize,
        restart: bool,
    ) {
        if !self
            .buffers
            .last()
            .is_some_and(|b| SharedBuffer::ptr_eq(b, buffer))
        {
            self.buffers.push(SharedBuffer::clone(buffer));
        }
        self.frames.push(FrameMeta {
            number,
            ts_ns,
            linktype,
            offset: offset as u32,
            len: len as u32,
            buffer: self.buffers.len() as u16,
            restart,
        });
    }

    /// The frames.
    pub(crate) fn iter(&self) -> impl Iterator<Item = FrameRef<'_>> + '_ {
        self.frames.iter().map(|m| FrameRef {
            number: m.number,
            order: m.number,
            ts_ns: m.ts_ns,
            linktype: m.linktype,
            data: match m.buffer {
                0 => &self.data[m.offset as usize..(m.offset + m.len) as usize],
                k => &self.buffers[k as usize - 1][m.offset as usize..(m.offset + m.len) as usize],
            },
            restart: m.restart,
        })
    }
}

/// What a worker's input said after one poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Polled {
    /// Frames handed to the worker.
    pub frames: usize,
    /// Frames below this order key are all delivered (0: no news).
    pub watermark: u64,
    /// Capture time belonging to the watermark.
    pub watermark_ts: u64,
    /// The input has ended.
    pub done: bool,
}

/// A worker's supply of frames.
pub trait FrameInput: Send {
    /// Hand the frames available now to `f`, and say how far the input has got.
    fn poll(&mut self, f: &mut dyn FnMut(FrameRef<'_>)) -> Polled;

    /// How full the input's queue is now, (entries, capacity), where it has one to look at.
    fn backlog(&self) -> Option<(usize, usize)> {
        None
    }
}
