"""Issue 9, acceptance 1 (serializer half): confluent-kafka 1.7's JSONSerializer and
ProtobufSerializer (Debian's /usr/bin/python3) register their schemas with Eddy's registry, produce
through the gateways, and the records read back with manual assignment deserialize to what was sent;
every record's schema id resolves in the registry to the subject's registered schema.

Usage: registry_serializers.py BOOTSTRAP REGISTRY_URL"""
import struct
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

bootstrap, registry_url = sys.argv[1], sys.argv[2]
COUNT = 50

JSON_SCHEMA = """{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Order", "type": "object",
  "properties": {"id": {"type": "integer"}, "item": {"type": "string"}},
  "required": ["id", "item"]
}"""


def step(name):
    print("step:", name, flush=True)


def fail(message):
    raise SystemExit("FAILED: " + message)


def order_message_class():
    """An Order protobuf class built at run time (no generated code in the tree)."""
    proto = descriptor_pb2.FileDescriptorProto(name="eddy_e2e/order.proto", package="eddy.e2e",
                                               syntax="proto3")
    order = proto.message_type.add(name="Order")
    field = descriptor_pb2.FieldDescriptorProto
    order.field.add(name="id", number=1, type=field.TYPE_INT64, label=field.LABEL_OPTIONAL)
    order.field.add(name="item", number=2, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.MessageFactory(pool).GetPrototype(
        pool.FindMessageTypeByName("eddy.e2e.Order"))


def round_trip(topic, serialize, deserialize, make_value, same):
    step("%s: produce %d records" % (topic, COUNT))
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    errors = []
    sent = [make_value(i) for i in range(COUNT)]
    for i, value in enumerate(sent):
        ctx = SerializationContext(topic, MessageField.VALUE)
        producer.produce(topic, key=str(i).encode(), value=serialize(value, ctx),
                         on_delivery=lambda err, msg: err and errors.append(err))
    if producer.flush(60) != 0 or errors:
        fail("%s: delivery failed: %s" % (topic, errors))

    step("%s: consume and deserialize" % topic)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "serializer-check",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    received = []
    schema_ids = set()
    deadline = time.time() + 60
    while len(received) < COUNT and time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            fail("%s: consume error: %s" % (topic, msg.error()))
        raw = msg.value()
        if raw[0] != 0:
            fail("%s: no Confluent magic byte" % topic)
        schema_ids.add(struct.unpack(">I", raw[1:5])[0])
        received.append(deserialize(raw, SerializationContext(topic, MessageField.VALUE)))
    consumer.close()
    if len(received) != COUNT:
        fail("%s: read %d of %d records" % (topic, len(received), COUNT))
    for i, (want, got) in enumerate(zip(sent, received)):
        if not same(want, got):
            fail("%s: record %d: sent %r, read %r" % (topic, i, want, got))
    return schema_ids


registry = SchemaRegistryClient({"url": registry_url})
admin = AdminClient({"bootstrap.servers": bootstrap})
step("create topics")
for name, future in admin.create_topics(
        [NewTopic(t, num_partitions=1, replication_factor=3) for t in ("orders-json", "orders-pb")]).items():
    future.result(30)

json_ids = round_trip(
    "orders-json",
    JSONSerializer(JSON_SCHEMA, registry),
    JSONDeserializer(JSON_SCHEMA),
    lambda i: {"id": i, "item": "item-%d" % i},
    lambda a, b: a == b)

Order = order_message_class()
pb_ids = round_trip(
    "orders-pb",
    ProtobufSerializer(Order, registry),
    ProtobufDeserializer(Order),
    lambda i: Order(id=i, item="item-%d" % i),
    lambda a, b: a.id == b.id and a.item == b.item)

step("schema ids resolve to the registered subjects")
for subject, ids, schema_type in (("orders-json-value", json_ids, "JSON"),
                                  ("orders-pb-value", pb_ids, "PROTOBUF")):
    latest = registry.get_latest_version(subject)
    if ids != {latest.schema_id}:
        fail("%s: records carry ids %s, registry has %d" % (subject, ids, latest.schema_id))
    if registry.get_schema(latest.schema_id).schema_type != schema_type:
        fail("%s: id %d is not a %s schema" % (subject, latest.schema_id, schema_type))
print("all steps passed", flush=True)
