"""sFlow v5 datagrams in the pcap psample-sflow -w writes (classic pcap,
microsecond timestamps, Ethernet frames of IPv4 or IPv6 UDP), decoded from
the sFlow v5 specification, for the tests."""
import struct
import subprocess


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xD4C3B2A1), "classic pcap with microsecond timestamps expected"
    endian = "<" if magic == 0xA1B2C3D4 else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    assert link == 1, "LINKTYPE_ETHERNET expected"
    offset, packets = 24, []
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        packets.append(data[offset + 16:offset + 16 + caplen])
        offset += 16 + caplen
    return packets


def udp_payload(frame):
    ethertype = struct.unpack(">H", frame[12:14])[0]
    assert ethertype in (0x0800, 0x86DD), "an IPv4 or IPv6 frame expected"
    packet = frame[14:]
    assert (packet[0] >> 4) == (6 if ethertype == 0x86DD else 4), "the IP version disagrees with the ethertype"
    header = 40 if packet[0] >> 4 == 6 else (packet[0] & 15) * 4
    return packet[header + 8:]


def u32s(data, offset, n):
    return struct.unpack(">" + "I" * n, data[offset:offset + 4 * n]), offset + 4 * n


def decode_datagram(d):
    (version, address_type), o = u32s(d, 0, 2)
    agent = d[o:o + (4 if address_type == 1 else 16)]
    o += len(agent)
    (sub_agent, sequence, uptime, count), o = u32s(d, o, 4)
    samples, counters, discards = [], [], []
    for _ in range(count):
        (fmt, length), o = u32s(d, o, 2)
        body, o = d[o:o + length], o + length
        if fmt == 5:  # discarded packet (sflow.org "sFlow Dropped Packet Notification Structures")
            (seq, source_class, source, drops, inp, outp, reason, nrec), b = u32s(body, 0, 8)
            records = {}
            for _ in range(nrec):
                (rfmt, rlen), b = u32s(body, b, 2)
                rdata, b = body[b:b + rlen], b + ((rlen + 3) & ~3)
                if rfmt == 1:
                    (proto, frame_length, stripped, hlen), _ = u32s(rdata, 0, 4)
                    records[1] = (proto, frame_length, stripped, rdata[16:16 + hlen])
                elif rfmt in (1038, 1042):  # function, Linux reason: one string
                    (n,), _ = u32s(rdata, 0, 1)
                    records[rfmt] = rdata[4:4 + n].decode()
                elif rfmt == 1041:  # hardware trap: group, name
                    (n,), _ = u32s(rdata, 0, 1)
                    group = rdata[4:4 + n].decode()
                    at = 4 + ((n + 3) & ~3)
                    (m,), _ = u32s(rdata, at, 1)
                    records[1041] = (group, rdata[at + 4:at + 4 + m].decode())
                else:
                    records[rfmt] = rdata
            assert b == len(body), "discard sample length disagrees with its records"
            discards.append(dict(sequence=seq, source_class=source_class, source=source, drops=drops, input=inp,
                                 output=outp, reason=reason, records=records))
            continue
        if fmt == 4:  # expanded counters sample: generic interface counters only
            (seq, source_type, source, nrec), b = u32s(body, 0, 4)
            for _ in range(nrec):
                (rfmt, rlen), b = u32s(body, b, 2)
                rdata, b = body[b:b + rlen], b + ((rlen + 3) & ~3)
                if rfmt == 1:
                    v = struct.unpack(">IIQIIQIIIIIIQIIIIII", rdata)
                    names = ["ifindex", "type", "speed", "direction", "status", "in_octets", "in_unicast",
                             "in_multicast", "in_broadcast", "in_discards", "in_errors", "in_unknown_protos",
                             "out_octets", "out_unicast", "out_multicast", "out_broadcast", "out_discards",
                             "out_errors", "promiscuous"]
                    counters.append(dict(zip(names, v), sequence=seq, source=source))
            continue
        if fmt != 3:
            continue
        (seq, source_type, source, rate, pool, drops, in_fmt, inp, out_fmt, outp, nrec), b = u32s(body, 0, 11)
        records = []
        for _ in range(nrec):
            (rfmt, rlen), b = u32s(body, b, 2)
            rdata, b = body[b:b + rlen], b + ((rlen + 3) & ~3)
            if rfmt == 1:
                (proto, frame_length, stripped, hlen), _ = u32s(rdata, 0, 4)
                records.append((1, (proto, frame_length, stripped, rdata[16:16 + hlen])))
            else:
                records.append((rfmt, struct.unpack(">I", rdata)[0]))
        assert b == len(body), "sample length disagrees with its records"
        samples.append(dict(source=source, sequence=seq, rate=rate, pool=pool, drops=drops, input=inp, output=outp,
                            records=records))
    assert o == len(d), "bytes after the last sample"
    return dict(version=version, agent=agent, sequence=sequence, uptime=uptime, samples=samples, counters=counters,
                discards=discards)




def tshark_columns(pcap, fields):
    """Each field's integer values over the whole pcap, in order, as tshark reads them."""
    args = ["tshark", "-r", pcap, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=|"]
    for f in fields:
        args += ["-e", f]
    columns = [[] for _ in fields]
    for row in subprocess.run(args, capture_output=True, text=True).stdout.splitlines():
        for k, cell in enumerate(row.split("|")):
            columns[k] += [int(v) for v in cell.split(",") if v]
    return columns
