#!/usr/bin/env python3
"""relink.py IN.pcap OUT.pcap LINKTYPE

Rewrites an Ethernet (link type 1) classic pcap to another link type,
stripping the 14-byte Ethernet header (and any 802.1Q/802.1ad tags):

  101  LINKTYPE_RAW       raw IPv4 and IPv6 (other ethertypes dropped)
  228  LINKTYPE_IPV4      raw IPv4 only
  229  LINKTYPE_IPV6      raw IPv6 only
    0  LINKTYPE_NULL      BSD loopback: 4-byte AF value in the byte order of
                          the file (little-endian here): 2 = IPv4; IPv6 gets
                          24 (NetBSD/OpenBSD) mostly, some 28 (FreeBSD) and
                          30 (Darwin) for variety.

Timestamps are kept. The output is a little-endian microsecond pcap.
Frames whose captured part ends inside the Ethernet header are dropped.
Stdlib only.
"""
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap file")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    _, _, _, _, snaplen, linktype = struct.unpack(e + "HHiIII", data[4:24])
    if linktype & 0x0FFFFFFF != 1:
        raise SystemExit(f"{path}: link type {linktype} is not Ethernet")
    off = 24
    recs = []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        recs.append((sec, frac // 1000 if nano else frac, orig, data[off:off + incl]))
        off += incl
    return snaplen, recs


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    src, dst, lt = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if lt not in (0, 101, 228, 229):
        raise SystemExit("link type must be 0, 101, 228 or 229")
    snaplen, recs = read_pcap(src)
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, lt)]
    n6 = 0
    for sec, usec, orig, frame in recs:
        hl = 14
        if len(frame) < hl:
            continue
        etype = struct.unpack(">H", frame[12:14])[0]
        while etype in (0x8100, 0x88A8) and len(frame) >= hl + 4:
            etype = struct.unpack(">H", frame[hl + 2:hl + 4])[0]
            hl += 4
        if etype not in (0x0800, 0x86DD):
            continue
        if lt == 228 and etype != 0x0800:
            continue
        if lt == 229 and etype != 0x86DD:
            continue
        payload = frame[hl:]
        olen = orig - hl
        if lt == 0:
            if etype == 0x0800:
                af = 2
            else:
                af = 30 if n6 % 4 == 3 else (28 if n6 % 10 == 5 else 24)
                n6 += 1
            payload = struct.pack("<I", af) + payload
            olen += 4
        out.append(struct.pack("<IIII", sec, usec, len(payload), olen))
        out.append(payload)
    with open(dst, "wb") as f:
        f.write(b"".join(out))


if __name__ == "__main__":
    main()
