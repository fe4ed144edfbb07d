#!/usr/bin/env python3
"""Captures with the hard cases, derived from the golden ones.

The golden nlmon captures (test/data) come from real kernels and have no
GROUP_SEQ gap, no reordering, no duplicate and no restart. The derivations
here make those out of them, record by record, without inventing a sample:
remove whole sample records (gaps, one just before a group's last sample),
move them (late samples that fill a gap), repeat them (duplicates), and, for
restarts, renumber a group's GROUP_SEQ in copies of its records. Each
derivation also gives its ground truth: which sequence numbers of each group
are delivered, in which order.

    derive_captures.py DATA_DIR OUT_DIR    writes OUT_DIR/NAME/nlmon.pcap
"""
import os
import struct
import sys

PSAMPLE_ATTR_GROUP, PSAMPLE_ATTR_GROUP_SEQ = 3, 4
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
COOKED = 16  # LINKTYPE_NETLINK's header before the datagram


def attributes(payload):
    """(type, value offset, value) of each top-level attribute in `payload`."""
    out, o = [], 0
    while o + 4 <= len(payload):
        length, kind = struct.unpack("<HH", payload[o:o + 4])
        if length < 4 or o + length > len(payload):
            break
        out.append((kind & 0x3FFF, o + 4, payload[o + 4:o + length]))
        o += (length + 3) & ~3
    return out


class Capture:
    """A classic pcap of LINKTYPE_NETLINK records (the golden nlmon.pcap files)."""

    def __init__(self, path):
        data = open(path, "rb").read()
        magic = struct.unpack("<I", data[:4])[0]
        assert magic == 0xA1B2C3D4, "%s: a little-endian microsecond pcap expected" % path
        self.header = data[:24]
        self.records = []  # [time (s, us), bytes]
        o = 24
        while o + 16 <= len(data):
            sec, usec, caplen, _ = struct.unpack("<IIII", data[o:o + 16])
            self.records.append([(sec, usec), bytearray(data[o + 16:o + 16 + caplen])])
            o += 16 + caplen
        self.family = None
        for _, r in self.records:
            nl_type = struct.unpack("<H", r[COOKED + 4:COOKED + 6])[0]
            if nl_type == 0x10 and r[COOKED + 16] == 1:  # nlctrl's NEWFAMILY reply
                attrs = {k: v for k, _, v in attributes(r[COOKED + 20:])}
                if attrs.get(CTRL_ATTR_FAMILY_NAME, b"").rstrip(b"\0") == b"psample":
                    self.family = struct.unpack("<H", attrs[CTRL_ATTR_FAMILY_ID][:2])[0]
        assert self.family is not None, "%s: no GETFAMILY reply for psample" % path

    def sample_key(self, record):
        """(group, seq) of a record that holds one psample SAMPLE message, else None."""
        if len(record) < COOKED + 20:
            return None
        nl_len, nl_type = struct.unpack("<IH", record[COOKED:COOKED + 6])
        if nl_type != self.family or record[COOKED + 16] != 0:
            return None
        assert COOKED + nl_len == len(record), "one message per sample record"
        attrs = {k: v for k, _, v in attributes(record[COOKED + 20:])}
        return struct.unpack("<I", attrs[PSAMPLE_ATTR_GROUP])[0], struct.unpack("<I", attrs[PSAMPLE_ATTR_GROUP_SEQ])[0]

    def renumbered(self, record, seq):
        """A copy of a sample record with GROUP_SEQ `seq`."""
        copy = bytearray(record)
        for kind, offset, _ in attributes(copy[COOKED + 20:]):
            if kind == PSAMPLE_ATTR_GROUP_SEQ:
                struct.pack_into("<I", copy, COOKED + 20 + offset, seq & 0xFFFFFFFF)
        return copy

    def without(self, record, kinds):
        """A copy of a sample record without the attributes of these types."""
        attrs = bytearray()
        body = record[COOKED + 20:]
        for kind, offset, value in attributes(body):
            if kind not in kinds:
                start = offset - 4
                attrs += body[start:start + ((4 + len(value) + 3) & ~3)]
        copy = bytearray(record[:COOKED + 20]) + attrs
        struct.pack_into("<I", copy, COOKED, len(copy) - COOKED)
        return copy

    def write(self, path, records):
        """The records in this order; times never go backwards (a moved record takes its new place's time)."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(self.header)
            last = (0, 0)
            for time, record in records:
                time = max(time, last)
                last = time
                f.write(struct.pack("<IIII", time[0], time[1], len(record), len(record)))
                f.write(record)


def derive(capture, plan):
    """Applies `plan` to the capture's sample records; the other records stay where they are.

    plan: a list of steps over the sample records, addressed by (group, seq):
      ("remove", group, [seq...])
      ("move", group, seq, after_seq)      the record of seq goes right after that of after_seq
      ("repeat", group, seq, after_seq)    a copy of seq's record goes right after after_seq's
      ("renumber", group, offset)          every sample of the group gets seq + offset
      ("append_copies", group, [seq...], offset)  copies of those records, renumbered by offset, at the end
      ("strip", group, [attribute type...])  those attributes taken out of every sample of the group
    Returns the records and, per group, the GROUP_SEQ values in delivery order.
    """
    records = [[time, bytearray(r)] for time, r in capture.records]
    key = lambda r: capture.sample_key(r[1])

    def index(group, seq):
        for i, r in enumerate(records):
            if key(r) == (group, seq):
                return i
        raise KeyError("no sample %d:%d" % (group, seq))

    for step in plan:
        op, group = step[0], step[1]
        if op == "remove":
            for seq in step[2]:
                del records[index(group, seq)]
        elif op == "move":
            record = records.pop(index(group, step[2]))
            records.insert(index(group, step[3]) + 1, record)
        elif op == "repeat":
            record = records[index(group, step[2])]
            records.insert(index(group, step[3]) + 1, [record[0], bytearray(record[1])])
        elif op == "renumber":
            for r in records:
                k = key(r)
                if k and k[0] == group:
                    r[1] = capture.renumbered(r[1], k[1] + step[2])
        elif op == "strip":
            for r in records:
                k = key(r)
                if k and k[0] == group:
                    r[1] = capture.without(r[1], set(step[2]))
        elif op == "append_copies":
            last = records[-1][0]
            for seq in step[2]:
                r = records[index(group, seq)]
                records.append([last, capture.renumbered(r[1], seq + step[3])])
        else:
            raise ValueError(op)
    delivered = {}
    for r in records:
        k = key(r)
        if k:
            delivered.setdefault(k[0], []).append(k[1])
    return records, delivered


# name: (golden capture, plan, what it holds). Groups: kernel-6.12 has 21 and 22
# (seq 0-3 each), netdevsim-6.12 has 7 (seq 0-19), tunnel-6.12 has 40, 41, 50
# and 51 (seq 0-4 each).
DERIVED = {
    "gaps-kernel-6.12": ("kernel-6.12", [("remove", 22, [1]), ("remove", 21, [2])],
                         "a gap in each group, one just before the group's last sample"),
    "gaps-netdevsim-6.12": ("netdevsim-6.12", [("remove", 7, [5, 10, 11, 12, 18])],
                            "gaps of 1 and 3, and one just before the last sample"),
    "reorder-netdevsim-6.12": ("netdevsim-6.12", [("move", 7, 16, 17), ("move", 7, 3, 6), ("remove", 7, [9]),
                                                  ("move", 7, 10, 12)],
                               "late samples filling gaps (17 before 16, 3 after 6), a real gap at 9"),
    "duplicates-netdevsim-6.12": ("netdevsim-6.12", [("repeat", 7, 8, 9), ("repeat", 7, 19, 19),
                                                     ("remove", 7, [14])],
                                  "repeated records, and a gap"),
    "restart-netdevsim-6.12": ("netdevsim-6.12", [("renumber", 7, 100), ("append_copies", 7,
                                                                         [100, 102, 103, 104, 105], -100)],
                               "the group starts again from 0 (with 1 missing) after 119"),
    "jump-netdevsim-6.12": ("netdevsim-6.12", [("renumber", 7, 0), ("append_copies", 7, [0, 1, 2, 4], 200000)],
                            "a jump forwards past max_sequence_jump, then a gap"),
    "no-ifindex-netdevsim-6.12": ("netdevsim-6.12", [("strip", 7, [0, 1]), ("remove", 7, [3])],
                                  "neither IIFINDEX nor OIFINDEX (netdevsim's defaults), and a gap"),
    "mixed-tunnel-6.12": ("tunnel-6.12", [("remove", 40, [3]), ("move", 41, 2, 3), ("repeat", 50, 1, 2),
                                          ("remove", 51, [1, 2])],
                          "four groups: a gap before the last sample, a late one, a duplicate, a gap of 2"),
}


def write_all(data_dir, out_dir):
    """Writes every derived capture; returns {name: (path, delivered seqs per group, description)}."""
    out = {}
    for name, (golden, plan, what) in DERIVED.items():
        capture = Capture(os.path.join(data_dir, golden, "nlmon.pcap"))
        records, delivered = derive(capture, plan)
        path = os.path.join(out_dir, name, "nlmon.pcap")
        capture.write(path, records)
        out[name] = (path, delivered, what)
    return out


if __name__ == "__main__":
    for name, (path, delivered, what) in write_all(sys.argv[1], sys.argv[2]).items():
        print("%s: %s; %s" % (name, what, {g: s for g, s in delivered.items()}))
