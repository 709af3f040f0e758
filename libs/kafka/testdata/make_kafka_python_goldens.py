#!/usr/bin/python3
"""Writes kafka_python_goldens.txt: request and response bodies encoded by kafka-python 2.0.2
(Debian python3-kafka, an independent implementation) for every API and version it knows, with
every field set to a distinctive value. kafka_python_golden_test decodes each with Eddy's codec
and checks the re-encoding is byte-identical.

Run with Debian's interpreter, which sees python3-kafka:
  /usr/bin/python3 libs/kafka/testdata/make_kafka_python_goldens.py > libs/kafka/testdata/kafka_python_goldens.txt
"""
import itertools

from kafka.protocol import admin, commit, fetch, group, metadata, offset, produce
from kafka.protocol import types

counter = itertools.count(1)


def fill(t):
    if isinstance(t, types.Schema):
        return tuple(fill(f) for f in t.fields)
    if isinstance(t, types.Array):
        return [fill(t.array_of) for _ in range(2)]
    kind = t if isinstance(t, type) else type(t)
    n = next(counter)
    if kind is types.Boolean:
        return True
    if kind is types.Int8:
        return n % 100
    if kind is types.Int16:
        return n
    if kind is types.Int32:
        return n * 1000
    if kind is types.Int64:
        return n << 33
    if kind is types.String:
        return 's%d' % n
    if kind is types.Bytes:
        return b'\x00\x80' + str(n).encode()
    raise TypeError(kind)


def main():
    for mod in (admin, commit, fetch, group, metadata, offset, produce):
        for name in sorted(dir(mod)):
            versions = getattr(mod, name)
            if not (name.endswith('Request') or name.endswith('Response')) or not isinstance(versions, list):
                continue
            for cls in versions:
                kind = 'request' if name.endswith('Request') else 'response'
                obj = cls(*fill(cls.SCHEMA))  # encode() holds only a weak reference
                try:
                    body = obj.encode()
                except TypeError:
                    # kafka-python cannot encode some schemas it declares (e.g. Fetch v7+ uses the
                    # String class, not an instance, for forgotten topics): it never sends them.
                    continue
                print('%d %d %s %s' % (cls.API_KEY, cls.API_VERSION, kind, body.hex()))


if __name__ == '__main__':
    main()
