"""Issue 8, acceptances 2 and 4, with /usr/bin/python3 through the gateways.

Usage: group_python.py BOOTSTRAP

kafka-python 2.0.2 group consumers: join, consume and commit explicit offsets; a restarted member
of the group resumes exactly at the committed offsets; auto_offset_reset earliest / latest / none
behave as with Kafka (none: NoOffsetForPartitionError without a committed offset). While the
group is stable, kafka-python's KafkaAdminClient (list_consumer_groups, describe_consumer_groups)
and confluent-kafka's AdminClient.list_groups (ListGroups on every gateway, then DescribeGroups)
show it once, Stable, with its member and the member's assignment.
"""
import sys
import time

from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import NoOffsetForPartitionError
from kafka.structs import OffsetAndMetadata

bootstrap = sys.argv[1]
TOPIC = "kp-groups"
PARTITIONS = 3


def step(name):
    print("step:", name, flush=True)


def fail(message):
    raise SystemExit("FAILED: " + message)


def consumer(group, reset, **extra):
    return KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=group,
                         auto_offset_reset=reset, enable_auto_commit=False,
                         session_timeout_ms=6000, heartbeat_interval_ms=1000,
                         max_poll_records=1, consumer_timeout_ms=1000, **extra)


def poll_records(c, want, timeout=40):
    records = []
    deadline = time.time() + timeout
    while len(records) < want and time.time() < deadline:
        for batch in c.poll(timeout_ms=500, max_records=want - len(records)).values():
            records.extend(batch)
    return records


def wait_assigned(c, timeout=40):
    deadline = time.time() + timeout
    while not c.assignment() and time.time() < deadline:
        c.poll(timeout_ms=200)
    if not c.assignment():
        fail("no partitions assigned")


def produce(values):
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", retries=20,
                             retry_backoff_ms=200)
    for i, v in enumerate(values):
        producer.send(TOPIC, key=str(i).encode(), value=v.encode()).get(timeout=30)
    producer.close()


step("create topic and produce 30 records")
cf_admin = AdminClient({"bootstrap.servers": bootstrap})
cf_admin.create_topics([NewTopic(TOPIC, PARTITIONS, 3)])[TOPIC].result(60)
produce(["r%d" % i for i in range(30)])

step("earliest: a new group consumes from the start and commits what it processed")
first = consumer("kp-resume", "earliest")
first.subscribe([TOPIC])
processed = poll_records(first, 12)
if len(processed) != 12:
    fail("consumed %d of 12 records" % len(processed))
committed = {}
for r in processed:
    committed[r.partition] = max(committed.get(r.partition, 0), r.offset + 1)
for p in range(PARTITIONS):
    if p not in committed:
        continue
    start = min(r.offset for r in processed if r.partition == p)
    if start != 0:
        fail("partition %d started at %d, not the beginning" % (p, start))
first.commit({TopicPartition(TOPIC, p): OffsetAndMetadata(o, "") for p, o in committed.items()})
for p, o in committed.items():
    if first.committed(TopicPartition(TOPIC, p)) != o:
        fail("partition %d committed %s, expected %d" % (p, first.committed(TopicPartition(TOPIC, p)), o))
first.close(autocommit=False)

step("a restarted member resumes at the committed offsets")
second = consumer("kp-resume", "earliest")
second.subscribe([TOPIC])
rest = poll_records(second, 30 - 12)
seen = {(r.partition, r.offset) for r in processed} | {(r.partition, r.offset) for r in rest}
if len(rest) != 18 or len(seen) != 30:
    fail("after restart consumed %d records, %d distinct in total" % (len(rest), len(seen)))
for p in range(PARTITIONS):
    offsets = [r.offset for r in rest if r.partition == p]
    if offsets and min(offsets) != committed.get(p, 0):
        fail("partition %d resumed at %d, committed %d" % (p, min(offsets), committed.get(p, 0)))

step("admin: the stable group is listed once and described with its member and assignment")
kp_admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","))
deadline = time.time() + 30
while True:
    second.poll(timeout_ms=200)  # keep the member's heartbeats going
    listed = [g for g in kp_admin.list_consumer_groups() if g[0] == "kp-resume"]
    described = kp_admin.describe_consumer_groups(["kp-resume"])[0]
    if listed and described.state == "Stable" or time.time() > deadline:
        break
if listed != [("kp-resume", "consumer")]:
    fail("kafka-python list_consumer_groups: %s" % listed)
if described.state != "Stable" or len(described.members) != 1:
    fail("kafka-python describe_consumer_groups: %s" % (described,))
assignment = described.members[0].member_assignment
assigned = sorted(p for topic, parts in assignment.assignment if topic == TOPIC for p in parts)
if assigned != list(range(PARTITIONS)):
    fail("described assignment %s" % (assignment.assignment,))
print("kafka-python admin: %s %s protocol=%s member=%s" % (
    described.group, described.state, described.protocol,
    described.members[0].member_id), flush=True)
cf_groups = [g for g in cf_admin.list_groups(timeout=30)
             if g.id == "kp-resume"]
if len(cf_groups) != 1:
    fail("confluent-kafka list_groups shows kp-resume %d times" % len(cf_groups))
g = cf_groups[0]
if g.state != "Stable" or g.protocol_type != "consumer" or len(g.members) != 1:
    fail("confluent-kafka list_groups: state=%s type=%s members=%d" % (
        g.state, g.protocol_type, len(g.members)))
if not g.members[0].assignment or g.members[0].client_host == "":
    fail("confluent-kafka list_groups: member without assignment or host")
print("confluent-kafka admin: %s %s protocol=%s members=%d" % (
    g.id, g.state, g.protocol, len(g.members)), flush=True)
second.commit()  # everything it consumed
final = {tp.partition: second.committed(tp) for tp in second.assignment()}
second.close(autocommit=False)

step("latest: a new group sees only records produced after it joined")
latest = consumer("kp-latest", "latest")
latest.subscribe([TOPIC])
wait_assigned(latest)
for tp in latest.assignment():
    latest.position(tp)  # resolves the reset before the new records arrive
produce(["late%d" % i for i in range(6)])
late = poll_records(latest, 6)
values = sorted(r.value.decode() for r in late)
if values != ["late%d" % i for i in range(6)]:
    fail("latest consumer saw %s" % values)
if poll_records(latest, 1, timeout=2):
    fail("latest consumer saw more records")
latest.close(autocommit=False)

step("none: a group without committed offsets gets NoOffsetForPartitionError")
none = consumer("kp-none", "none")
none.subscribe([TOPIC])
try:
    deadline = time.time() + 40
    while time.time() < deadline:
        if none.poll(timeout_ms=500):
            fail("records without a committed offset and auto_offset_reset=none")
    fail("no NoOffsetForPartitionError")
except NoOffsetForPartitionError as e:
    print("none: %s" % (e,), flush=True)
none.close(autocommit=False)

step("none: with committed offsets the group resumes there")
# The group committed everything up to the late records: it reads exactly those, from there.
resumed = consumer("kp-resume", "none")
resumed.subscribe([TOPIC])
again = poll_records(resumed, 6)
resumed.close(autocommit=False)
if sorted(r.value.decode() for r in again) != ["late%d" % i for i in range(6)]:
    fail("resumed with none saw %s" % sorted(r.value.decode() for r in again))
for p in {r.partition for r in again}:
    if min(r.offset for r in again if r.partition == p) != final[p]:
        fail("partition %d resumed below/above its committed offset %d" % (p, final[p]))
print("all steps passed", flush=True)
