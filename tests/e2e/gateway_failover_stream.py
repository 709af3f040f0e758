"""Acceptance 4: a produce/consume stream through both gateways for DURATION seconds, during which
the test kills one gateway. confluent-kafka producer (acks=all, idempotence) and a manually
assigned consumer; both bootstrap from both gateways and carry on through the survivor.

Usage: gateway_failover_stream.py BOOTSTRAP TOPIC DURATION PROGRESS_FILE
Writes PROGRESS_FILE once 2000 records were acknowledged (the test then kills a gateway). At the
end every acknowledged record must have been consumed."""
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic, duration, progress = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
PARTITIONS = 3

admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=3)])[topic].result(30)

acked = set()
failed = []


def on_delivery(err, msg):
    if err is not None:
        failed.append(str(err))
    else:
        acked.add(msg.value().decode())


producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                     "linger.ms": 5, "message.timeout.ms": 120000})
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-failover",
                     "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
consumed = set()
start = time.time()
sent = 0
marked = False
while time.time() - start < duration:
    for _ in range(50):
        producer.produce(topic, key=str(sent), value="record-%d" % sent, on_delivery=on_delivery)
        sent += 1
    producer.poll(0)
    while True:
        msg = consumer.poll(0)
        if msg is None:
            break
        if not msg.error():
            consumed.add(msg.value().decode())
    if not marked and len(acked) >= 2000:
        open(progress, "w").write("acked %d\n" % len(acked))
        marked = True
    time.sleep(0.02)

remaining = producer.flush(120)
deadline = time.time() + 90
while not acked.issubset(consumed) and time.time() < deadline:
    msg = consumer.poll(0.5)
    if msg is not None and not msg.error():
        consumed.add(msg.value().decode())
consumer.close()
lost = acked - consumed
print("sent %d acked %d consumed %d lost %d unflushed %d failed %d" %
      (sent, len(acked), len(consumed), len(lost), remaining, len(failed)), flush=True)
if not marked:
    raise SystemExit("FAILED: never reached 2000 acknowledged records")
if lost:
    raise SystemExit("FAILED: acknowledged records not consumed, e.g. %s" % sorted(lost)[:5])
if len(acked) < sent // 2:
    raise SystemExit("FAILED: only %d of %d records acknowledged" % (len(acked), sent))
print("all steps passed", flush=True)
