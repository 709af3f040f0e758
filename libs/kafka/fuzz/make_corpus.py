#!/usr/bin/python3
"""Seeds the fuzz corpora from the committed goldens: request frames (header v1 + body) from
testdata/kafka_python_goldens.txt, and record batches from record_batch_test.cc's hex constants.
Usage: make_corpus.py <out_dir>  → <out_dir>/request/*, <out_dir>/record_batch/*"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


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
    with open(os.path.join(HERE, '..', 'record_batch_test.cc')) as f:
        text = f.read()
    for name, body in re.findall(r'const char (k\w+Hex)\[\] =((?:\s*"[0-9a-f]+")+);', text):
        data = bytes.fromhex(''.join(re.findall(r'"([0-9a-f]+)"', body)))
        with open(os.path.join(out, 'record_batch', name), 'wb') as g:
            g.write(data)


if __name__ == '__main__':
    main()
