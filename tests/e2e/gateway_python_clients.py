"""Acceptance 2 (data half) through the gateways, with /usr/bin/python3.

Usage: gateway_python_clients.py BOOTSTRAP produce|check-deleted TOPIC [LOW_WATERMARK]

produce: confluent-kafka (acks=all, enable.idempotence, partitioner=murmur2_random) and
kafka-python (acks=all, its default murmur2 partitioner) produce keyed records with headers and
timestamps; both consume them back with manual assignment and seek, and look up offsets for a
timestamp. Prints "partition <client> <key> <partition>" for every record so the caller can check
the partitions against libs/kafka's murmur2.
check-deleted: partition 0's low watermark equals LOW_WATERMARK (after DeleteRecords) and reading
from the beginning starts there."""
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KpTopicPartition

bootstrap, mode, topic = sys.argv[1], sys.argv[2], sys.argv[3]
PARTITIONS = 6
COUNT = 120
BASE_TS = 1_700_000_000_000


def step(name):
    print("step:", name, flush=True)


def fail(message):
    raise SystemExit("FAILED: " + message)


def consume_all(consumer, expected, timeout=60):
    records = []
    deadline = time.time() + timeout
    while len(records) < expected and time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            fail("consume error: %s" % msg.error())
        records.append(msg)
    return records


if mode == "produce":
    admin = AdminClient({"bootstrap.servers": bootstrap})
    step("create topic")
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=3)])[topic].result(30)

    step("confluent-kafka idempotent produce")
    delivered = {}
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                         "partitioner": "murmur2_random", "linger.ms": 5})

    def on_delivery(err, msg):
        if err is not None:
            fail("delivery failed: %s" % err)
        delivered[msg.key().decode()] = (msg.partition(), msg.offset())

    for i in range(COUNT):
        key = "ck-key-%d" % i
        producer.produce(topic, key=key, value="ck-value-%d" % i, headers=[("h", b"ck-%d" % i)],
                         timestamp=BASE_TS + i * 1000, on_delivery=on_delivery)
    if producer.flush(60) != 0 or len(delivered) != COUNT:
        fail("confluent-kafka delivered %d of %d" % (len(delivered), COUNT))
    for key, (partition, _) in sorted(delivered.items()):
        print("partition confluent %s %d" % (key, partition))

    step("kafka-python produce")
    kp = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    futures = []
    for i in range(COUNT):
        key = "kp-key-%d" % i
        futures.append((key, kp.send(topic, key=key.encode(), value=b"kp-value-%d" % i,
                                     headers=[("h", b"kp-%d" % i)],
                                     timestamp_ms=BASE_TS + 500_000 + i * 1000)))
    for key, future in futures:
        meta = future.get(timeout=60)
        print("partition kafka-python %s %d" % (key, meta.partition))
    kp.close()

    step("confluent-kafka manual assign, read everything back")
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-manual",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    records = consume_all(consumer, 2 * COUNT)
    if len(records) != 2 * COUNT:
        fail("read %d of %d records" % (len(records), 2 * COUNT))
    for msg in records:
        key = msg.key().decode()
        prefix, _, i = key.partition("-key-")
        i = int(i)
        if msg.value().decode() != "%s-value-%d" % (prefix, i):
            fail("value of %s: %r" % (key, msg.value()))
        if msg.headers() != [("h", b"%s-%d" % (prefix.encode(), i))]:
            fail("headers of %s: %r" % (key, msg.headers()))
        ts = BASE_TS + i * 1000 + (500_000 if prefix == "kp" else 0)
        if msg.timestamp()[1] != ts:
            fail("timestamp of %s: %r, want %d" % (key, msg.timestamp(), ts))
        if prefix == "ck" and delivered[key] != (msg.partition(), msg.offset()):
            fail("%s read at %r, delivered at %r" % (key, (msg.partition(), msg.offset()), delivered[key]))

    step("confluent-kafka seek")
    p0 = [m for m in records if m.partition() == 0]
    if len(p0) < 3:
        fail("partition 0 holds %d records" % len(p0))
    consumer.seek(TopicPartition(topic, 0, p0[2].offset()))
    again = consume_all(consumer, 1)
    if not again or (again[0].partition(), again[0].offset()) != (0, p0[2].offset()):
        fail("seek to %d read %r" % (p0[2].offset(), [(m.partition(), m.offset()) for m in again]))

    step("confluent-kafka offsets_for_times")
    want_ts = BASE_TS + 60 * 1000  # ck-key-60 and later
    found = consumer.offsets_for_times([TopicPartition(topic, p, want_ts) for p in range(PARTITIONS)], 30)
    for tp in found:
        expect = min([m.offset() for m in records
                      if m.partition() == tp.partition and m.timestamp()[1] >= want_ts], default=None)
        got = tp.offset if tp.offset >= 0 else None
        if expect is not None and got != expect:
            fail("offsets_for_times p%d: %r, want %r" % (tp.partition, tp.offset, expect))
    consumer.close()

    step("kafka-python manual assign, seek, offsets_for_times")
    kc = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    tps = [KpTopicPartition(topic, p) for p in range(PARTITIONS)]
    kc.assign(tps)
    kc.seek_to_beginning()
    seen = 0
    deadline = time.time() + 60
    while seen < 2 * COUNT and time.time() < deadline:
        for batch in kc.poll(timeout_ms=1000).values():
            seen += len(batch)
    if seen != 2 * COUNT:
        fail("kafka-python read %d of %d" % (seen, 2 * COUNT))
    kc.seek(KpTopicPartition(topic, 0), p0[1].offset())
    got = []
    deadline = time.time() + 30
    while not got and time.time() < deadline:
        for batch in kc.poll(timeout_ms=1000, max_records=1).values():
            got.extend(batch)
    if not got or got[0].offset != p0[1].offset():
        fail("kafka-python seek read %r" % [(r.partition, r.offset) for r in got])
    times = kc.offsets_for_times({tp: want_ts for tp in tps})
    for tp, ot in times.items():
        expect = min([m.offset() for m in records
                      if m.partition() == tp.partition and m.timestamp()[1] >= want_ts], default=None)
        if (ot.offset if ot is not None else None) != expect:
            fail("kafka-python offsets_for_times p%d: %r, want %r" % (tp.partition, ot, expect))
    kc.close()
    print("partition0-count %d" % len(p0))
elif mode == "check-deleted":
    low = int(sys.argv[4])
    step("low watermark after DeleteRecords")
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-check",
                         "enable.auto.commit": False})
    lo, hi = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=30)
    if lo != low:
        fail("low watermark %d, want %d (high %d)" % (lo, low, hi))
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    first = consume_all(consumer, 1)
    if not first or first[0].offset() != low:
        fail("reading from the beginning starts at %r" % [m.offset() for m in first])
    consumer.close()
else:
    fail("unknown mode " + mode)
print("all steps passed", flush=True)
