"""Issue 8, acceptance 1, with /usr/bin/python3 and confluent-kafka (librdkafka) through the gateways.

Usage: group_confluent.py BOOTSTRAP range|cooperative-sticky TOPIC
       group_confluent.py BOOTSTRAP member STRATEGY TOPIC GROUP   (one group member, internal)

The driver creates a 6-partition topic and produces records, starts 3 member processes of one
group (2 partitions each), a 4th (rebalance), then kill -9s one member and closes another (their
partitions move to the other two after the session timeout), produces more and checks:
every record was consumed at least once; the group's committed offsets, sampled all along with
OffsetFetch, never moved backwards; with cooperative-sticky, a member only ever had partitions
revoked that then moved to another member (checked through the callbacks), while with the eager
range strategy every rebalance revokes everything. A member whose commit carries the generation
it had while the group completes the next one gets ILLEGAL_GENERATION, as from Kafka, and
librdkafka then drops its whole assignment (on_lost): that loss is reported and not counted as a
revocation. Members print one JSON event per line.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

PARTITIONS = 6
SESSION_TIMEOUT_MS = 6000
POLL_INTERVAL_MS = 20000


def step(name):
    print("step:", name, flush=True)


def fail(message):
    raise SystemExit("FAILED: " + message)


def member(bootstrap, strategy, topic, group):
    """One group member: consumes, commits synchronously every few records and on revoke."""
    out = sys.stdout

    def emit(**event):
        out.write(json.dumps(event) + "\n")
        out.flush()

    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "partition.assignment.strategy": strategy,
        "session.timeout.ms": SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": 500,
        "max.poll.interval.ms": POLL_INTERVAL_MS,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "topic.metadata.refresh.interval.ms": 2000,
    })
    pending = {}

    def commit_pending(only=None):
        offsets = [TopicPartition(topic, p, o) for p, o in pending.items()
                   if only is None or p in only]
        if not offsets:
            return
        try:
            consumer.commit(offsets=offsets, asynchronous=False)
            for tp in offsets:
                emit(ev="commit", p=tp.partition, o=tp.offset)
                pending.pop(tp.partition, None)
        except KafkaException as e:
            emit(ev="commit-failed", error=str(e))

    def on_assign(c, partitions):
        emit(ev="assign", parts=sorted(tp.partition for tp in partitions))

    def on_revoke(c, partitions):
        revoked = sorted(tp.partition for tp in partitions)
        commit_pending(set(revoked))
        emit(ev="revoke", parts=revoked)

    def on_lost(c, partitions):
        # librdkafka drops its whole assignment when a commit sent with the generation it had
        # meets a group that has moved on (ILLEGAL_GENERATION, as Kafka answers too): that is not
        # a cooperative revocation, so it is recorded apart.
        lost = sorted(tp.partition for tp in partitions)
        for p in lost:
            pending.pop(p, None)
        emit(ev="lost", parts=lost)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    since_commit = 0
    while not stop:
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            if pending:
                commit_pending()
            continue
        emit(ev="record", p=msg.partition(), o=msg.offset())
        pending[msg.partition()] = msg.offset() + 1
        since_commit += 1
        if since_commit >= 5:
            commit_pending()
            since_commit = 0
    commit_pending()
    consumer.close()
    emit(ev="closed")


class Member:
    def __init__(self, bootstrap, strategy, topic, group, name, workdir):
        self.name = name
        self.path = os.path.join(workdir, name + ".jsonl")
        self.file = open(self.path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, bootstrap, "member", strategy, topic, group],
            stdout=self.file, stderr=subprocess.DEVNULL)

    def events(self):
        with open(self.path) as f:
            lines = f.read().splitlines()
        events = []
        for line in lines:
            try:
                events.append(json.loads(line))
            except ValueError:
                pass  # a line being written
        return events

    def assignment(self, cooperative):
        owned = set()
        for e in self.events():
            if e["ev"] == "assign":
                owned = owned | set(e["parts"]) if cooperative else set(e["parts"])
            elif e["ev"] in ("revoke", "lost"):
                owned -= set(e["parts"])
        return owned

    def stop(self, sig):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.file.close()


def produce(bootstrap, topic, start, count):
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    acked = []
    for i in range(start, start + count):
        producer.produce(topic, key=str(i), value=str(i),
                         on_delivery=lambda err, msg: acked.append(
                             (msg.partition(), msg.offset())) if err is None else None)
    producer.flush(60)
    if len(acked) != count:
        fail("only %d of %d records acknowledged" % (len(acked), count))
    return acked


def wait_until(what, predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    fail("timed out waiting for " + what)


def driver(bootstrap, strategy, topic, workdir):
    cooperative = strategy == "cooperative-sticky"
    group = "group-" + topic
    step("create topic")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, PARTITIONS, 3)])
    futures[topic].result(60)
    acked = produce(bootstrap, topic, 0, 300)

    # OffsetFetch sampler: the group's committed offsets must never go backwards.
    sampler = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    regressions = []
    samples = [0]
    done = threading.Event()

    def sample():
        last = {}
        while not done.is_set():
            try:
                committed = sampler.committed(
                    [TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
            except KafkaException:
                continue
            samples[0] += 1
            for tp in committed:
                if tp.offset < 0:
                    continue
                if tp.offset < last.get(tp.partition, -1):
                    regressions.append((tp.partition, last[tp.partition], tp.offset))
                last[tp.partition] = tp.offset
            time.sleep(0.2)

    sampler_thread = threading.Thread(target=sample)
    sampler_thread.start()
    members = []
    try:
        step("3 members get 2 partitions each")
        for i in range(3):
            members.append(Member(bootstrap, strategy, topic, group, "m%d" % i, workdir))

        def balanced(active, sizes):
            owned = [m.assignment(cooperative) for m in active]
            union = set().union(*owned)
            return (sorted(len(o) for o in owned) == sizes and len(union) == PARTITIONS)

        wait_until("3 members with 2 partitions each", lambda: balanced(members, [2, 2, 2]), 40)
        before = [m.assignment(cooperative) for m in members]
        marks = [len(m.events()) for m in members]

        step("a 4th member joins: rebalance")
        members.append(Member(bootstrap, strategy, topic, group, "m3", workdir))
        wait_until("4 members share 6 partitions", lambda: balanced(members, [1, 1, 2, 2]), 40)
        after = [m.assignment(cooperative) for m in members[:3]]
        for i, m in enumerate(members[:3]):
            revoked = set()
            lost = set()
            for e in m.events()[marks[i]:]:
                if e["ev"] == "revoke":
                    revoked |= set(e["parts"])
                elif e["ev"] == "lost":
                    lost |= set(e["parts"])
            moved = before[i] - after[i]
            if cooperative:
                # Voluntary revocations are exactly the moved partitions; a member that lost its
                # assignment meanwhile may have revoked fewer (the loss took the rest).
                if revoked - moved or (not lost and revoked != moved):
                    fail("%s revoked %s but only %s moved" % (m.name, sorted(revoked), sorted(moved)))
                if lost:
                    print("%s lost %s during the rebalance (stale-generation commit)"
                          % (m.name, sorted(lost)), flush=True)
            elif revoked | lost != before[i]:
                fail("eager %s revoked %s, not all of %s" % (m.name, sorted(revoked),
                                                             sorted(before[i])))
        if cooperative and not any(before[i] - after[i] for i in range(3)):
            fail("no partition moved to the 4th member")

        step("kill -9 one member, close another: their partitions move")
        killed, closed = members[0], members[1]
        killed.stop(signal.SIGKILL)
        closed.stop(signal.SIGTERM)
        survivors = members[2:]
        started = time.time()
        wait_until("2 members own all 6 partitions", lambda: balanced(survivors, [3, 3]),
                   SESSION_TIMEOUT_MS / 1000 + 30)
        print("partitions moved after %.1f s" % (time.time() - started), flush=True)

        step("produce more; every record is consumed at least once")
        acked += produce(bootstrap, topic, 300, 300)

        def consumed():
            seen = set()
            for m in members:
                seen |= {(e["p"], e["o"]) for e in m.events() if e["ev"] == "record"}
            return seen

        wait_until("every acknowledged record consumed", lambda: set(acked) <= consumed(), 40)

        step("the last commits reach the end of every partition")
        ends = {}
        for p, o in acked:
            ends[p] = max(ends.get(p, -1), o + 1)

        def committed_to_end():
            committed = sampler.committed(
                [TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
            return all(tp.offset == ends.get(tp.partition, 0) for tp in committed)

        wait_until("commits at the log end", committed_to_end, 30)
    finally:
        done.set()
        sampler_thread.join()
        for m in members:
            if m.proc.poll() is None:
                m.stop(signal.SIGKILL)
        sampler.close()
    if regressions:
        fail("committed offsets went backwards: %s" % regressions)
    if samples[0] < 10:
        fail("only %d OffsetFetch samples" % samples[0])
    print("offset samples: %d, none backwards" % samples[0], flush=True)
    print("all steps passed", flush=True)


if __name__ == "__main__":
    if sys.argv[2] == "member":
        member(sys.argv[1], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        driver(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4])
