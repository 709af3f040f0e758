#!/usr/bin/env python3
"""Issue 8, acceptance 3 (client half): a busy confluent-kafka group whose coordinator is killed.

usage: coordinator_failover_group.py BOOTSTRAP TOPIC GROUP READY_FILE KILLED_FILE

Three consumers of GROUP share a 6-partition TOPIC while a producer keeps writing. Each consumer
commits synchronously after every poll that returned records and remembers what the coordinator
acknowledged. Once every partition is assigned and committed, READY_FILE is written; the test then
kill -9s the coordinator owning the group's shard and writes KILLED_FILE. From then on every
consumer must get a commit acknowledged again (the group reformed on the new owner) within the
session timeout + 5 s. Finally the consumers close and a fresh consumer of the group reads the
committed offsets: none may be below what was acknowledged. Prints "all steps passed".
"""
import os
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

SESSION_TIMEOUT_MS = 6000
PARTITIONS = 6
CONSUMERS = 3


def fail(message):
    print("FAILED: " + message, flush=True)
    sys.exit(1)


def main():
    bootstrap, topic, group, ready_file, killed_file = sys.argv[1:6]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics(
            [NewTopic(topic, num_partitions=PARTITIONS, replication_factor=3)]).values():
        future.result(30)

    stop = threading.Event()
    produced = [0]

    def produce():
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
        n = 0
        while not stop.is_set():
            producer.produce(topic, key=str(n % 60).encode(), value=str(n).encode())
            n += 1
            producer.poll(0)
            if n % 200 == 0:
                producer.flush(10)
                time.sleep(0.05)
        producer.flush(30)
        produced[0] = n

    lock = threading.Lock()
    acked = {}  # partition -> highest offset the coordinator acknowledged
    last_ack = [0.0] * CONSUMERS  # per consumer: time of its last acknowledged commit
    assigned = [set() for _ in range(CONSUMERS)]
    errors = []

    def consume(index):
        consumer = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "client.id": "failover-%d" % index,
            "session.timeout.ms": SESSION_TIMEOUT_MS,
            "heartbeat.interval.ms": 1000,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        })

        def on_assign(c, partitions):
            with lock:
                assigned[index] = {p.partition for p in partitions}

        def on_revoke(c, partitions):
            with lock:
                assigned[index] = set()

        consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        try:
            while not stop.is_set():
                messages = consumer.consume(100, 0.2)
                if not messages:
                    continue
                try:
                    committed = consumer.commit(asynchronous=False)
                except KafkaException:
                    continue  # not acknowledged (coordinator moving, rebalance): not counted
                now = time.time()
                with lock:
                    for tp in committed or []:
                        if tp.error is None and tp.offset >= 0:
                            acked[tp.partition] = max(acked.get(tp.partition, -1), tp.offset)
                    last_ack[index] = now
        except Exception as e:  # noqa: BLE001 - report any client failure
            errors.append("consumer %d: %r" % (index, e))
        finally:
            consumer.close()

    producer_thread = threading.Thread(target=produce)
    producer_thread.start()
    consumers = [threading.Thread(target=consume, args=(i,)) for i in range(CONSUMERS)]
    for t in consumers:
        t.start()

    def steady():
        with lock:
            covered = set().union(*assigned)
            return (covered == set(range(PARTITIONS)) and len(acked) == PARTITIONS and
                    all(t > 0 for t in last_ack))

    deadline = time.time() + 60
    while not steady():
        if time.time() > deadline or errors:
            stop.set()
            fail("the group never became steady: assigned %r acked %r %r" % (assigned, acked, errors))
        time.sleep(0.1)
    with open(ready_file, "w") as f:
        f.write("ready\n")
    print("group steady; waiting for the coordinator kill", flush=True)

    deadline = time.time() + 60
    while not os.path.exists(killed_file):
        if time.time() > deadline:
            stop.set()
            fail("the test never killed the coordinator")
        time.sleep(0.05)
    killed_at = os.path.getmtime(killed_file)

    limit = SESSION_TIMEOUT_MS / 1000.0 + 5
    while True:
        with lock:
            recovered = all(t > killed_at for t in last_ack)
            covered = set().union(*assigned) == set(range(PARTITIONS))
        if recovered and covered:
            break
        if time.time() - killed_at > limit:
            stop.set()
            fail("the group did not reform within %.0f s: last acks %r, assigned %r" %
                 (limit, [t - killed_at for t in last_ack], assigned))
        time.sleep(0.05)
    print("group reformed %.2f s after the kill" % (time.time() - killed_at), flush=True)

    stop.set()
    for t in consumers:
        t.join(60)
    producer_thread.join(60)
    if errors:
        fail("; ".join(errors))

    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                       "enable.auto.commit": False})
    committed = reader.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=30)
    reader.close()
    for tp in committed:
        if tp.offset < acked.get(tp.partition, -1):
            fail("partition %d: committed %d is below the acknowledged %d" %
                 (tp.partition, tp.offset, acked[tp.partition]))
    print("produced %d records; committed %r" %
          (produced[0], {tp.partition: tp.offset for tp in committed}), flush=True)
    print("all steps passed", flush=True)


if __name__ == "__main__":
    main()
