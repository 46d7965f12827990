#!/usr/bin/env python3
"""craft.py OUT.pcap — write malformed.pcap: crafted Ethernet frames (stdlib only).

Every frame below carries a comment saying what it tests. Timestamps are
fixed (1700000000 + n ms), so the output is byte-for-byte reproducible.
Addresses: 192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32 and locally
administered MACs only.
"""
import struct
import sys

MAC_A = bytes.fromhex("020000000a01")
MAC_B = bytes.fromhex("020000000a02")
BCAST = b"\xff" * 6
IP_A, IP_B, IP_C = "192.0.2.1", "192.0.2.2", "198.51.100.7"
IP6_A, IP6_B = "2001:db8:a::1", "2001:db8:b::2"


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(s):
    import socket
    return socket.inet_pton(socket.AF_INET6, s)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(etype, payload, dst=MAC_B, src=MAC_A):
    return dst + src + struct.pack("!H", etype) + payload


def vlan(tci, etype):
    """802.1Q/802.1ad tag body: TCI + inner ethertype."""
    return struct.pack("!HH", tci, etype)


def ipv4(src, dst, proto, payload, ttl=64, ident=0x1234, flags_frag=0x4000,
         options=b"", ihl=None, total_len=None, checksum=None, tos=0):
    if ihl is None:
        ihl = 5 + len(options) // 4
    if total_len is None:
        total_len = 20 + len(options) + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, total_len, ident, flags_frag,
                      ttl, proto, 0, ip4(src), ip4(dst)) + options
    if checksum is None:
        checksum = csum(hdr)
    hdr = hdr[:10] + struct.pack("!H", checksum) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload, hlim=64, plen=None):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB16s16s", 0x60000000, plen, nh, hlim, ip6(src), ip6(dst)) + payload


def pseudo4(src, dst, proto, length):
    return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, length)


def pseudo6(src, dst, nh, length):
    return ip6(src) + ip6(dst) + struct.pack("!IxxxB", length, nh)


def udp(sport, dport, payload, src=IP_A, dst=IP_B, length=None, v6=False):
    real = 8 + len(payload)
    if length is None:
        length = real
    seg = struct.pack("!HHHH", sport, dport, length, 0) + payload
    ph = pseudo6(src, dst, 17, real) if v6 else pseudo4(src, dst, 17, real)
    c = csum(ph + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp(sport, dport, seq, ack, flags, payload=b"", options=b"", doff=None,
        src=IP_A, dst=IP_B, win=64240, v6=False):
    if doff is None:
        doff = 5 + len(options) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, win, 0, 0) + options + payload
    ph = pseudo6(src, dst, 6, len(seg)) if v6 else pseudo4(src, dst, 6, len(seg))
    c = csum(ph + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def icmp(typ, code, rest, body):
    m = struct.pack("!BBH", typ, code, 0) + rest + body
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def icmp6(src, dst, typ, code, body):
    m = struct.pack("!BBH", typ, code, 0) + body
    c = csum(pseudo6(src, dst, 58, len(m)) + m)
    return m[:2] + struct.pack("!H", c) + m[4:]


def qname(name):
    out = b""
    for lab in name.split("."):
        if lab:
            out += bytes([len(lab)]) + lab.encode()
    return out + b"\0"


def dns_hdr(ident, flags, qd, an, ns=0, ar=0):
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, ip4(spa), tha, ip4(tpa))


# A well-formed DNS query/response used inside VLAN frames.
DNS_Q = dns_hdr(0xBEEF, 0x0100, 1, 0) + qname("www.example.test") + struct.pack("!HH", 1, 1)
DNS_R = (dns_hdr(0xBEEF, 0x8180, 1, 1) + qname("www.example.test") + struct.pack("!HH", 1, 1)
         + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + ip4("192.0.2.80"))

frames = []


def add(frame):
    frames.append(frame)


# 1. 802.1Q single tag (PCP 0, VID 100) around IPv4/UDP/DNS query
add(eth(0x8100, vlan(100, 0x0800) + ipv4(IP_A, IP_B, 17, udp(40000, 53, DNS_Q)), ))
# 2. 802.1Q single tag with PCP 5, DEI 0, VID 200 around an ARP request
add(eth(0x8100, vlan((5 << 13) | 200, 0x0806) + arp(1, MAC_A, IP_A, b"\0" * 6, IP_B), dst=BCAST))
# 3. 802.1ad outer (S-tag VID 300) + 802.1Q inner (C-tag VID 100) around IPv4/UDP/DNS response
add(eth(0x88A8, vlan(300, 0x8100) + vlan(100, 0x0800) + ipv4(IP_B, IP_A, 17, udp(53, 40000, DNS_R, src=IP_B, dst=IP_A)),
        dst=MAC_A, src=MAC_B))
# 4. 802.1ad + 802.1Q double tag around an ARP reply
add(eth(0x88A8, vlan(300, 0x8100) + vlan(100, 0x0806) + arp(2, MAC_B, IP_B, MAC_A, IP_A), dst=MAC_A, src=MAC_B))
# 5. 802.3 length frame + LLC (DSAP/SSAP 0x42) carrying an STP configuration BPDU
bpdu = struct.pack("!HBBB8sIB8sHHHHH", 0, 0, 0, 0,
                   bytes.fromhex("8000020000000a01"), 4, 0, bytes.fromhex("8000020000000a02"),
                   0x8001, 0, 20 * 256, 2 * 256, 15 * 256)
llc = b"\x42\x42\x03" + bpdu
add(bytes.fromhex("0180c2000000") + MAC_A + struct.pack("!H", len(llc)) + llc + b"\0" * (46 - len(llc)))
# 6. 802.3 length frame + LLC SNAP (AA AA 03, OUI 000000, type 0x0800) carrying IPv4/ICMP echo request
ping = ipv4(IP_A, IP_B, 1, icmp(8, 0, struct.pack("!HH", 0x4242, 1), b"snap-ping"))
snap = b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + ping
add(MAC_B + MAC_A + struct.pack("!H", len(snap)) + snap)
# 7. IPv4 truncated in the middle of its header (only 12 of 20 header bytes captured)
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 5678, b"x"))[:12]))
# 8. IPv4 with IHL = 4 (< 5, invalid header length)
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 5678, b"ihl4"), ihl=4)))
# 9. IPv4 total length (1000) larger than the bytes in the frame
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 5678, b"short"), total_len=1000)))
# 10. IPv4 total length (12) smaller than the 20-byte header
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 5678, b"tiny"), total_len=12)))
# 11. IPv4 with options: Router Alert + NOP + EOL padding (IHL 7), carrying an IGMPv2 membership report
igmp = struct.pack("!BBH4s", 0x16, 0, 0, ip4("239.1.2.3"))
igmp = igmp[:2] + struct.pack("!H", csum(igmp)) + igmp[4:]
add(eth(0x0800, ipv4(IP_A, "239.1.2.3", 2, igmp, ttl=1, options=b"\x94\x04\x00\x00\x01\x00\x00\x00"),
        dst=bytes.fromhex("01005e010203")))
# 12. IPv4 with a Timestamp option (type 0x44, len 12, ptr 5, flag 0: timestamps only) + NOPs, UDP
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"ts-option"),
                     options=b"\x44\x0c\x05\x00" + b"\0" * 8 + b"\x01\x01\x01\x00")))
# 13. IPv4 option with a bad length (Record Route claims 40 bytes in a 4-byte option area)
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"bad-opt"), options=b"\x07\x28\x04\x00")))
# 14. IPv4 bad header checksum (0xdead) on an ICMP echo request
add(eth(0x0800, ipv4(IP_A, IP_B, 1, icmp(8, 0, struct.pack("!HH", 0x4242, 2), b"bad-ip-csum"), checksum=0xDEAD)))
# 15. TCP with data offset 4 (< 5)
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40001, 80, 1000, 0, 0x02, doff=4))))
# 16. TCP with data offset 15 (60 bytes) but only a 20-byte segment
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40002, 80, 1000, 0, 0x02, doff=15))))
# 17. TCP option whose length runs past the header (MSS with length 10 in a 4-byte option area)
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40003, 80, 1000, 0, 0x02, options=b"\x02\x0a\x05\xb4"))))
# 18. TCP option with length 1 (< 2, invalid) followed by NOPs; window scale with length 0 after
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40004, 80, 1000, 0, 0x02, options=b"\x08\x01\x01\x01\x03\x00\x01\x00"))))
# 19. UDP length field (200) larger than the IP payload
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"udp-len-too-big", length=200))))
# 20. UDP length field (4) smaller than the 8-byte UDP header
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"udp-len-too-small", length=4))))
# 21. DNS response whose answer name is a compression pointer to itself (offset 34 -> 34)
q = qname("loop.example.test") + struct.pack("!HH", 1, 1)
ans_off = 12 + len(q)
dns = (dns_hdr(0x0001, 0x8180, 1, 1) + q + struct.pack("!H", 0xC000 | ans_off)
       + struct.pack("!HHIH", 1, 1, 60, 4) + ip4("192.0.2.1"))
add(eth(0x0800, ipv4(IP_B, IP_A, 17, udp(53, 40000, dns, src=IP_B, dst=IP_A)), dst=MAC_A, src=MAC_B))
# 22. DNS response with two compression pointers pointing at each other (answer name -> authority name -> answer name)
q = qname("pair.example.test") + struct.pack("!HH", 1, 1)
a_off = 12 + len(q)
rr_fixed = struct.pack("!HHIH", 1, 1, 60, 4) + ip4("192.0.2.2")
b_off = a_off + 2 + len(rr_fixed)
dns = (dns_hdr(0x0002, 0x8180, 1, 1, 1) + q + struct.pack("!H", 0xC000 | b_off) + rr_fixed
       + struct.pack("!H", 0xC000 | a_off) + rr_fixed)
add(eth(0x0800, ipv4(IP_B, IP_A, 17, udp(53, 40001, dns, src=IP_B, dst=IP_A)), dst=MAC_A, src=MAC_B))
# 23. DNS query whose second label's length (63) runs past the end of the packet
dns = dns_hdr(0x0003, 0x0100, 1, 0) + b"\x04abcd\x3fshort"
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(40002, 53, dns))))
# 24. DNS response claiming 3 answers but carrying only 1
dns = (dns_hdr(0x0004, 0x8180, 1, 3) + qname("few.example.test") + struct.pack("!HH", 1, 1)
       + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + ip4("192.0.2.4"))
add(eth(0x0800, ipv4(IP_B, IP_A, 17, udp(53, 40003, dns, src=IP_B, dst=IP_A)), dst=MAC_A, src=MAC_B))
# 25. IPv6 with a type 0 routing header (1 address, segments left 1) carrying UDP
u6 = udp(1234, 9, b"rh0", src=IP6_A, dst=IP6_B, v6=True)
rh0 = struct.pack("!BBBBI", 17, 2, 0, 1, 0) + ip6("2001:db8:c::3")
add(eth(0x86DD, ipv6(IP6_A, IP6_B, 43, rh0 + u6)))
# 26. IPv6 with a type 4 (Segment Routing) routing header, 2 segments, carrying UDP
srh = struct.pack("!BBBBBBH", 17, 4, 4, 1, 1, 0, 0) + ip6(IP6_B) + ip6("2001:db8:c::3")
add(eth(0x86DD, ipv6(IP6_A, IP6_B, 43, srh + u6)))
# 27. IPv6 with a destination options header (unknown option 0x1e + PadN) carrying ICMPv6 echo request
echo = icmp6(IP6_A, IP6_B, 128, 0, struct.pack("!HH", 0x77, 1) + b"dstopt")
dsto = struct.pack("!BB", 58, 0) + b"\x1e\x02\xab\xcd\x01\x00"
add(eth(0x86DD, ipv6(IP6_A, IP6_B, 60, dsto + echo)))
# 28. IPv6 chain: hop-by-hop (router alert) -> destination options -> fragment (first, M=1) -> UDP start
hbh = struct.pack("!BB", 60, 0) + b"\x05\x02\x00\x00\x01\x00"
dsto2 = struct.pack("!BB", 44, 0) + b"\x01\x04\x00\x00\x00\x00"
frag = struct.pack("!BBHI", 17, 0, 0x0001, 0xCAFE0001)
add(eth(0x86DD, ipv6(IP6_A, IP6_B, 0, hbh + dsto2 + frag + struct.pack("!HHHH", 1234, 9, 1032, 0) + b"A" * 64)))
# 29. IPv6 payload length (400) larger than the frame
add(eth(0x86DD, ipv6(IP6_A, IP6_B, 17, udp(1234, 9, b"plen", src=IP6_A, dst=IP6_B, v6=True), plen=400)))
# 30. ICMP port unreachable quoting a truncated IP header (only 12 bytes of the original header)
orig = ipv4(IP_A, IP_C, 17, udp(40010, 33434, b"probe", dst=IP_C))[:12]
add(eth(0x0800, ipv4(IP_C, IP_A, 1, icmp(3, 3, b"\0\0\0\0", orig), flags_frag=0), dst=MAC_A, src=MAC_B))
# 31. ICMP time exceeded quoting a complete original IPv4 header + 8 bytes of UDP (well-formed reference)
orig = ipv4(IP_A, IP_C, 17, udp(40011, 33435, b"probe", dst=IP_C), ttl=1)[:28]
add(eth(0x0800, ipv4(IP_B, IP_A, 1, icmp(11, 0, b"\0\0\0\0", orig), flags_frag=0), dst=MAC_A, src=MAC_B))
# 32. TLS handshake record truncated: record length 512, only the first 40 bytes of a ClientHello present
ch = b"\x16\x03\x01\x02\x00" + b"\x01\x00\x01\xfc\x03\x03" + bytes(range(32)) + b"\x00"
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40020, 443, 5000, 7000, 0x18, ch))))
# 33. TLS record with an unknown content type (0x63) and a short length
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40021, 443, 6000, 8000, 0x18, b"\x63\x03\x03\x00\x04abcd"))))
# 34. HTTP request line without CRLF (nothing after the version)
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40030, 80, 9000, 10000, 0x18, b"GET /index.html HTTP/1.1"))))
# 35. HTTP request with headers but no terminating empty line
add(eth(0x0800, ipv4(IP_A, IP_B, 6, tcp(40031, 80, 9100, 10100, 0x18,
                                       b"POST /form HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: 10\r\n"))))
# 36. Ethernet frame with IPv4 ethertype and zero bytes of payload
add(eth(0x0800, b""))
# 37. Ethernet frame with IPv6 ethertype and zero bytes of payload
add(eth(0x86DD, b""))
# 38. Ethernet frame with ARP ethertype and zero bytes of payload
add(eth(0x0806, b"", dst=BCAST))
# 39. Unknown / local experimental ethertype 0x88b5 with some payload
add(eth(0x88B5, b"encap-unknown-ethertype" + bytes(range(16))))
# 40. Frame shorter than an Ethernet header (10 bytes)
add((MAC_B + MAC_A)[:10])
# 41. ARP request truncated after the sender MAC (14 of 28 bytes)
add(eth(0x0806, arp(1, MAC_A, IP_A, b"\0" * 6, IP_B)[:14], dst=BCAST))
# 42. Well-formed small UDP packet padded with zeros to the 60-byte Ethernet minimum
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"pad"))) + b"\0" * 15)
# 43. Small UDP packet followed by a non-zero Ethernet trailer (4 bytes that look like an FCS)
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"trailer"))) + b"\xde\xad\xbe\xef")
# 44. IPv4 first fragment (MF=1, offset 0) of a UDP datagram
add(eth(0x0800, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"F" * 40)[:24], ident=0x7777, flags_frag=0x2000,
                     total_len=44)))
# 45. IPv4 last fragment (MF=0, offset 3 = 24 bytes) of the same datagram
add(eth(0x0800, ipv4(IP_A, IP_B, 17, b"F" * 24, ident=0x7777, flags_frag=0x0003)))
# 46. Ethernet frame carrying an IPv6 header with version nibble 4 under the IPv6 ethertype
add(eth(0x86DD, ipv4(IP_A, IP_B, 17, udp(1234, 9, b"wrong-version"))))


def main():
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    for i, f in enumerate(frames):
        out.append(struct.pack("<IIII", 1700000000, i * 1000, len(f), len(f)) + f)
    with open(sys.argv[1], "wb") as fh:
        fh.write(b"".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main()
