#!/usr/bin/env python3
"""Builds tzdata.bin and abbrevs.rs for the datetime module.

tzdata.bin embeds the 64-bit part and POSIX footer of every TZif file under
/usr/share/zoneinfo (the same files PostgreSQL 15 reads when built with
--with-system-tzdata), so the zone state built from it matches PostgreSQL's
transition for transition. abbrevs.rs is PostgreSQL's `Default`
timezone_abbreviations set.

usage: python3 gen_tzdata.py [ZONEINFO_DIR] [TIMEZONESETS_DEFAULT]
Writes tzdata.bin and abbrevs.rs into the parent (datetime) directory.
"""
import hashlib
import os
import struct
import sys

ZONEINFO = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/zoneinfo"
DEFAULT = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/postgresql/15/timezonesets/Default"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_TOP = {"right", "localtime"}


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) ^ (n >> 63) if n < 0 else n << 1


def parse_tzif(data):
    """Returns (ats, types, ttis, chars, footer) the way tzloadbody reads them."""
    assert data[:4] == b"TZif"
    version = data[4]

    def header(off):
        return struct.unpack(">6l", data[off + 20 : off + 44])

    isut, isstd, leap, timecnt, typecnt, charcnt = header(0)
    off = 0
    stored = 4
    if version != 0:
        off = 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leap * 8 + isstd + isut
        stored = 8
        isut, isstd, leap, timecnt, typecnt, charcnt = header(off)
    assert leap == 0
    p = off + 44
    raw = []
    for i in range(timecnt):
        if stored == 8:
            (at,) = struct.unpack(">q", data[p : p + 8])
        else:
            (at,) = struct.unpack(">l", data[p : p + 4])
        raw.append(at)
        p += stored
    rawtypes = list(data[p : p + timecnt])
    p += timecnt
    # duplicate transition times: keep the later one (tzloadbody)
    ats, types = [], []
    for at, ty in zip(raw, rawtypes):
        if ats and at <= ats[-1]:
            assert at == ats[-1]
            ats.pop()
            types.pop()
        ats.append(at)
        types.append(ty)
    ttis = []
    for i in range(typecnt):
        utoff, isdst, idx = struct.unpack(">lBB", data[p : p + 6])
        ttis.append([utoff, isdst, idx, 0, 0])
        p += 6
    chars = data[p : p + charcnt]
    p += charcnt
    p += leap * (stored + 4)
    for i in range(typecnt if isstd else 0):
        ttis[i][3] = data[p]
        p += 1
    for i in range(typecnt if isut else 0):
        ttis[i][4] = data[p]
        p += 1
    footer = b""
    if version != 0:
        rest = data[p:]
        if len(rest) > 2 and rest[0:1] == b"\n" and rest[-1:] == b"\n":
            footer = rest[1:-1]
    return ats, types, ttis, chars, footer


def encode_zone(z):
    ats, types, ttis, chars, footer = z
    out = bytearray()
    out += varint(len(ats)) + varint(len(ttis)) + varint(len(chars))
    prev = None
    for at in ats:
        if prev is None:
            out += varint(zigzag(at))
        else:
            out += varint(at - prev)
        prev = at
    out += bytes(types)
    for utoff, isdst, idx, std, ut in ttis:
        out += varint(zigzag(utoff))
        out.append(isdst | (std << 1) | (ut << 2))
        out.append(idx)
    out += chars
    out += varint(len(footer)) + footer
    return bytes(out)


def main():
    names = []
    for root, dirs, files in os.walk(ZONEINFO):
        rel = os.path.relpath(root, ZONEINFO)
        top = rel.split(os.sep)[0]
        if top in SKIP_TOP:
            continue
        for f in files:
            path = os.path.normpath(os.path.join(rel, f))
            if path in SKIP_TOP:
                continue
            with open(os.path.join(root, f), "rb") as fh:
                data = fh.read()
            if data[:4] != b"TZif":
                continue
            names.append((path, data))
    blobs = []
    index = {}
    table = []
    for path, data in sorted(names):
        blob = encode_zone(parse_tzif(data))
        key = hashlib.sha1(blob).digest()
        if key not in index:
            index[key] = len(blobs)
            blobs.append(blob)
        table.append((path, index[key]))
    out = bytearray(b"OATZ\x01")
    out += struct.pack("<HH", len(blobs), len(table))
    off = 0
    for b in blobs:
        out += struct.pack("<I", off)
        off += len(b)
    out += struct.pack("<I", off)
    for b in blobs:
        out += b
    for path, idx in table:
        nb = path.encode()
        assert len(nb) < 256
        out += bytes([len(nb)]) + nb + struct.pack("<H", idx)
    with open(os.path.join(HERE, "tzdata.bin"), "wb") as fh:
        fh.write(out)
    print(f"tzdata.bin: {len(table)} names, {len(blobs)} zones, {len(out)} bytes")

    entries = []
    with open(DEFAULT) as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            assert not line.startswith("@"), line
            parts = line.split()
            abbr = parts[0].lower()
            if parts[1].lstrip("-").isdigit():
                entries.append((abbr, int(parts[1]), len(parts) > 2 and parts[2] == "D", None))
            else:
                entries.append((abbr, 0, False, parts[1]))
    entries.sort(key=lambda e: e[0].encode())
    with open(os.path.join(HERE, "abbrevs.rs"), "w") as fh:
        fh.write("// @generated by gen_tzdata.py from PostgreSQL 15's timezonesets/Default. Do not edit.\n\n")
        fh.write("use super::timezone::{Abbrev, dynamic, fixed};\n\n")
        fh.write("/// PostgreSQL's `Default` timezone_abbreviations, sorted by lowercase name.\n")
        fh.write("pub(super) static DEFAULT_ABBREVS: &[(&str, Abbrev)] = &[\n")
        for abbr, offset, dst, zone in entries:
            if zone:
                fh.write(f'    ("{abbr}", dynamic("{zone}")),\n')
            else:
                fh.write(f'    ("{abbr}", fixed({offset}, {"true" if dst else "false"})),\n')
        fh.write("];\n")
    print(f"abbrevs.rs: {len(entries)} abbreviations")


main()
