"""Issue 6, acceptance 1 through the gateway: an idempotent acks=all librdkafka producer
(confluent-kafka) sends RECORDS keyed records while the test kill -9s the leader broker FAULTS
times; a final read with manual assignment must show every acknowledged record exactly once, each
key's records in send order.

Usage: gateway_leader_kill_producer.py BOOTSTRAP TOPIC RECORDS FAULTS STATE_DIR
The records go out in FAULTS + 1 equal segments. While sending, the script rewrites
STATE_DIR/acked with the count of acknowledged records; it starts segment k + 1 only once the test
has written k (the faults done so far) to STATE_DIR/faults, so every fault lands while records of
the current segment are in flight, whatever the speed of the machine."""
import os
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
records, faults, state_dir = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
PARTITIONS = 3
KEYS = 100
segment = records // (faults + 1)

admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=3,
                              config={"min.insync.replicas": "2"})])[topic].result(30)
# The topic's leaders are elected asynchronously; wait until metadata shows all of them.
deadline = time.time() + 30
while time.time() < deadline:
    partitions = admin.list_topics(topic, timeout=10).topics[topic].partitions
    if len(partitions) == PARTITIONS and all(p.leader >= 0 for p in partitions.values()):
        break
    time.sleep(0.1)

acked = {}  # value -> (partition, offset)
failed = []


def on_delivery(err, msg):
    if err is not None:
        failed.append("%s: %s" % (msg.value().decode(), err))
    else:
        acked[msg.value().decode()] = (msg.partition(), msg.offset())


def write_state(name, text):
    tmp = os.path.join(state_dir, name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(state_dir, name))


def faults_done():
    try:
        with open(os.path.join(state_dir, "faults")) as f:
            return int(f.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


# request.timeout.ms below librdkafka's 30 s keeps a run short should a produce request ever go
# unanswered again (the gateway once lost a request sent as its stream to a killed broker ended;
# the idempotent producer then waited out the timeout before retrying).
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                     "linger.ms": 2, "message.timeout.ms": 90000, "request.timeout.ms": 10000,
                     "retry.backoff.ms": 50, "topic.metadata.refresh.interval.ms": 1000})
start = time.time()
sent = 0
while sent < records:
    if sent >= (faults_done() + 1) * segment and sent < faults * segment + segment:
        # Wait for the test's next fault before starting the next segment.
        producer.poll(0.05)
        write_state("acked", str(len(acked)))
        continue
    for _ in range(20):
        key = "key-%d" % (sent % KEYS)
        producer.produce(topic, key=key, value="%s:%d" % (key, sent), on_delivery=on_delivery)
        sent += 1
    producer.poll(0)
    write_state("acked", str(len(acked)))
    time.sleep(0.002)
remaining = producer.flush(100)
write_state("acked", str(len(acked)))
produce_seconds = time.time() - start

# The final read: every partition from the beginning to its high watermark, manual assignment.
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-leader-kill",
                     "enable.auto.commit": False, "enable.partition.eof": True})
ends = {}
for p in range(PARTITIONS):
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
    ends[p] = high
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
read = []  # (partition, offset, key, value)
at_end = set(p for p in range(PARTITIONS) if ends[p] == 0)
deadline = time.time() + 40
while len(at_end) < PARTITIONS and time.time() < deadline:
    msg = consumer.poll(0.5)
    if msg is None:
        continue
    if msg.error():
        if msg.error().code() == -191:  # _PARTITION_EOF
            if msg.offset() >= ends[msg.partition()]:
                at_end.add(msg.partition())
            continue
        raise SystemExit("FAILED: consume error %s" % msg.error())
    read.append((msg.partition(), msg.offset(), msg.key().decode(), msg.value().decode()))
    if msg.offset() + 1 >= ends[msg.partition()]:
        at_end.add(msg.partition())
consumer.close()

problems = []
counts = {}
for _, _, _, value in read:
    counts[value] = counts.get(value, 0) + 1
duplicated = [v for v, n in counts.items() if n > 1]
lost = [v for v in acked if v not in counts]
if duplicated:
    problems.append("%d duplicated, e.g. %s" % (len(duplicated), sorted(duplicated)[:5]))
if lost:
    problems.append("%d acknowledged records lost, e.g. %s" % (len(lost), sorted(lost)[:5]))
last_seq = {}
for partition, offset, key, value in read:
    value_key, seq = value.rsplit(":", 1)
    if value_key != key:
        problems.append("offset %d/%d: key %s carries %s" % (partition, offset, key, value))
        break
    if int(seq) <= last_seq.get(key, -1):
        problems.append("key %s out of order at %d/%d: %s after %d" %
                        (key, partition, offset, seq, last_seq[key]))
        break
    last_seq[key] = int(seq)
# The acknowledged offset is where the record is (a retried duplicate gets its original offset).
where = {value: (partition, offset) for partition, offset, _, value in read}
moved = [v for v, at in acked.items() if v in where and where[v] != at]
if moved:
    problems.append("%d records read elsewhere than acknowledged, e.g. %s acked at %s read at %s" %
                    (len(moved), moved[0], acked[moved[0]], where[moved[0]]))
print("sent %d acked %d read %d duplicated %d lost %d failed %d unflushed %d in %.1f s" %
      (sent, len(acked), len(read), len(duplicated), len(lost), len(failed), remaining,
       produce_seconds), flush=True)
if len(at_end) < PARTITIONS:
    problems.append("the read did not reach the high watermark of partitions %s" %
                    sorted(set(range(PARTITIONS)) - at_end))
if failed:
    problems.append("%d records failed, e.g. %s" % (len(failed), failed[:3]))
if problems:
    raise SystemExit("FAILED: " + "; ".join(problems))
print("all steps passed", flush=True)
