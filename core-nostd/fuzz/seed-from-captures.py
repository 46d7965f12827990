#!/usr/bin/env python3
"""Writes every frame of the classic pcap files in captures/ as a fuzz seed:
one selector byte (the link type's index in fuzz_targets/dissect.rs) + the frame."""
import os
import struct
import sys

LINKS = [1, 101, 228, 229, 0, 113, 276]


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return  # pcapng: skipped, its frames are in the pcap files too
    link = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    at = 24
    while at + 16 <= len(data):
        incl = struct.unpack(end + "I", data[at + 8:at + 12])[0]
        yield link, data[at + 16:at + 16 + incl]
        at += 16 + incl


def filter_seeds(captures, out, with_frames):
    os.makedirs(out, exist_ok=True)
    filters = [l.strip() for l in open(os.path.join(captures, "filters.txt")) if l.strip()]
    frames_list = []
    if with_frames:
        for name in sorted(os.listdir(captures)):
            if name.endswith(".pcap"):
                frames_list += [f for link, f in frames(os.path.join(captures, name)) if link == 1]
    for i, text in enumerate(filters):
        data = text.encode()
        if with_frames:
            frame = frames_list[i * 7 % len(frames_list)] if frames_list else b""
            data = bytes([min(len(data), 255)]) + data[:255] + frame
        with open(os.path.join(out, "filter-%03d.bin" % i), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(filters), out))


def main():
    captures, out = sys.argv[1], sys.argv[2]
    target = sys.argv[3] if len(sys.argv) > 3 else "dissect"
    if target != "dissect":
        return filter_seeds(captures, out, target == "filter_eval")
    os.makedirs(out, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(captures)):
        if not name.endswith(".pcap"):
            continue
        for link, frame in frames(os.path.join(captures, name)):
            if link not in LINKS:
                continue
            seed = bytes([LINKS.index(link)]) + frame
            with open(os.path.join(out, "%s-%04d.bin" % (name[:-5], n)), "wb") as f:
                f.write(seed)
            n += 1
    print("wrote %d seeds to %s" % (n, out))


if __name__ == "__main__":
    main()
