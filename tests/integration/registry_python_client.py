"""Drives eddy-registry with confluent-kafka's SchemaRegistryClient (Debian python3-confluent-kafka
1.7, which needs python3-requests): register, lookup, get by id, versions, delete, compatibility
and config, for JSON and PROTOBUF schemas (Debian has no fastavro, so the Avro serializers are
out; Avro schemas still register through the client). Usage: registry_python_client.py URL.
Prints one line per step and exits non-zero on the first mismatch."""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError


def check(step, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + step + (": " + str(detail) if detail else ""))
    if not ok:
        sys.exit(1)


def expect_error(step, code, fn):
    try:
        fn()
    except SchemaRegistryError as e:
        check(step, e.error_code == code, "error_code %s" % e.error_code)
        return
    check(step, False, "no error raised")


def main():
    client = SchemaRegistryClient({"url": sys.argv[1]})
    subject = "py-orders-value"
    v1 = json.dumps({"type": "object", "properties": {"id": {"type": "string"}}})
    v2 = json.dumps({"type": "object",
                     "properties": {"id": {"type": "string"}, "note": {"type": "string"}}})
    schema_id = client.register_schema(subject, Schema(v1, "JSON"))
    check("register JSON", schema_id > 0, schema_id)
    check("register again gives the same id",
          client.register_schema(subject, Schema(v1, "JSON")) == schema_id)
    fetched = client.get_schema(schema_id)
    check("get by id", fetched.schema_type == "JSON" and json.loads(fetched.schema_str) ==
          json.loads(v1), fetched.schema_str)
    found = client.lookup_schema(subject, Schema(v1, "JSON"))
    check("lookup", found.schema_id == schema_id and found.version == 1,
          (found.schema_id, found.version))

    check("set subject compatibility NONE",
          client.set_compatibility(subject, "NONE")["compatibility"] == "NONE")
    check("compatible under NONE", client.test_compatibility(subject, Schema(v2, "JSON")) is True)
    id2 = client.register_schema(subject, Schema(v2, "JSON"))
    check("register v2", id2 != schema_id, id2)
    check("versions", client.get_versions(subject) == [1, 2], client.get_versions(subject))
    latest = client.get_latest_version(subject)
    check("latest version", latest.version == 2 and latest.schema_id == id2)
    check("get version", client.get_version(subject, 1).schema_id == schema_id)

    proto = 'syntax = "proto3";\nmessage Payment { string id = 1; double amount = 2; }\n'
    proto_id = client.register_schema("py-payments-value", Schema(proto, "PROTOBUF"))
    check("register PROTOBUF", client.get_schema(proto_id).schema_type == "PROTOBUF")
    avro = json.dumps({"type": "record", "name": "A", "fields": [{"name": "f", "type": "int"}]})
    check("register AVRO", client.register_schema("py-avro-value", Schema(avro, "AVRO")) > 0)

    check("set compatibility", client.set_compatibility(subject, "FULL")["compatibility"] == "FULL")
    check("get compatibility", client.get_compatibility(subject) == "FULL")
    check("set global compatibility",
          client.set_compatibility(level="BACKWARD")["compatibility"] == "BACKWARD")
    incompatible = json.dumps({"type": "string"})
    check("incompatible schema is reported",
          client.test_compatibility(subject, Schema(incompatible, "JSON")) is False)
    expect_error("incompatible registration is refused", 40901,
                 lambda: client.register_schema(subject, Schema(incompatible, "JSON")))
    expect_error("invalid schema", 42201,
                 lambda: client.register_schema(subject, Schema("{not json", "JSON")))

    check("delete version", client.delete_version(subject, 2) == 2)
    check("versions after delete", client.get_versions(subject) == [1])
    # The 1.7 client deletes permanently in two calls, soft then hard, and returns the first list.
    check("delete subject permanently", client.delete_subject(subject, permanent=True) == [1])
    check("soft-deleted subject is listed no more", subject not in client.get_subjects())
    expect_error("deleted subject is gone", 40401, lambda: client.get_versions(subject))
    check("id still resolvable while another subject uses it",
          client.get_schema(proto_id).schema_type == "PROTOBUF")
    print("all steps passed")


if __name__ == "__main__":
    main()
