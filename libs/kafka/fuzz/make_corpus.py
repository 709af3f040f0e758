#!/usr/bin/python3
"""Seeds the fuzz corpora from the committed goldens: request frames (header v1 + body) from
testdata/kafka_python_goldens.txt, request frames exactly as real clients sent them from
testdata/captured_goldens.txt (librdkafka, kafka-python, confluent-kafka-python, kafkajs), and
record batches from record_batch_test.cc's hex constants and from those clients' Produce requests
(every codec they send).
Usage: make_corpus.py <out_dir>  → <out_dir>/request/*, <out_dir>/record_batch/*"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def produce_records(frame):
    """The RECORDS fields of a Produce v3-v8 request frame (header v1; these versions are not flexible)."""
    pos = 8  # api_key, api_version, correlation_id

    def take(n):
        nonlocal pos
        pos += n
        return frame[pos - n:pos]

    def string():
        n = struct.unpack('>h', take(2))[0]
        take(max(n, 0))

    string()  # client_id
    string()  # transactional_id
    take(6)  # acks, timeout_ms
    for _ in range(struct.unpack('>i', take(4))[0]):
        string()  # topic name
        for _ in range(struct.unpack('>i', take(4))[0]):
            take(4)  # partition index
            n = struct.unpack('>i', take(4))[0]
            if n > 0:
                yield take(n)


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, 'request'), exist_ok=True)
    os.makedirs(os.path.join(out, 'record_batch'), exist_ok=True)
    with open(os.path.join(HERE, '..', 'testdata', 'kafka_python_goldens.txt')) as f:
        for i, line in enumerate(f):
            key, version, kind, hexbody = (line.split() + [''])[:4]
            if kind != 'request':
                continue
            header = struct.pack('>hhih', int(key), int(version), i, 4) + b'seed'
            with open(os.path.join(out, 'request', 'kp_%d' % i), 'wb') as g:
                g.write(header + bytes.fromhex(hexbody))
    with open(os.path.join(HERE, '..', 'testdata', 'captured_goldens.txt')) as f:
        for i, line in enumerate(f):
            client, direction, key, version, hexframe = line.split()
            if direction != 'req':
                continue
            frame = bytes.fromhex(hexframe)
            with open(os.path.join(out, 'request', 'captured_%s_%d' % (client, i)), 'wb') as g:
                g.write(frame)
            if key == '0' and 3 <= int(version) <= 8:
                for j, records in enumerate(produce_records(frame)):
                    with open(os.path.join(out, 'record_batch', 'captured_%s_%d_%d' % (client, i, j)), 'wb') as g:
                        g.write(records)
    with open(os.path.join(HERE, '..', 'record_batch_test.cc')) as f:
        text = f.read()
    for name, body in re.findall(r'const char (k\w+Hex)\[\] =((?:\s*"[0-9a-f]+")+);', text):
        data = bytes.fromhex(''.join(re.findall(r'"([0-9a-f]+)"', body)))
        with open(os.path.join(out, 'record_batch', name), 'wb') as g:
            g.write(data)


if __name__ == '__main__':
    main()
