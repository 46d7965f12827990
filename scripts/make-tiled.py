#!/usr/bin/env python3
"""Makes a large Ethernet pcap for benchmarks by tiling the frames of the
Ethernet captures in captures/ until it holds N frames (default 1,000,000).

    python3 scripts/make-tiled.py bench-data/tiled.pcap [N [GAP_US]]

Timestamps advance GAP_US (default 1) microseconds per frame, so tools see a
normal, ordered capture and `encap-agent --read --pace` replays it at
1,000,000 / GAP_US frames per second."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, "..", "captures")


def ethernet_frames():
    out = []
    for name in sorted(os.listdir(CAPTURES)):
        if not name.endswith(".pcap"):
            continue
        data = open(os.path.join(CAPTURES, name), "rb").read()
        if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            continue
        if struct.unpack("<I", data[20:24])[0] != 1:
            continue
        at = 24
        while at + 16 <= len(data):
            incl, orig = struct.unpack("<II", data[at + 8:at + 16])
            out.append((data[at + 16:at + 16 + incl], orig))
            at += 16 + incl
    return out


def main():
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    gap = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    frames = ethernet_frames()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i in range(count):
            frame, orig = frames[i % len(frames)]
            secs, usecs = divmod(1_700_000_000_000_000 + i * gap, 1_000_000)
            f.write(struct.pack("<IIII", secs, usecs, len(frame), orig))
            f.write(frame)
    print("wrote %d frames (%d distinct) to %s" % (count, len(frames), path))


if __name__ == "__main__":
    main()
