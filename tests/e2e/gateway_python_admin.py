"""Acceptance 2 (admin half): confluent-kafka (librdkafka) and kafka-python AdminClients against the
gateways. Usage: gateway_python_admin.py BOOTSTRAP [configs]. Prints each step; exits non-zero on
the first failure. With "configs" it also describes and alters topic configs (DescribeConfigs /
IncrementalAlterConfigs through the controller)."""
import sys
import time

from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic
from kafka.admin import ConfigResource as KpConfigResource
from kafka.admin import ConfigResourceType as KpConfigResourceType
from kafka.admin import KafkaAdminClient
from kafka.admin import NewTopic as KpNewTopic

bootstrap = sys.argv[1]
with_configs = len(sys.argv) > 2 and sys.argv[2] == "configs"


def step(name):
    print("step:", name, flush=True)


def wait_for(condition, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SystemExit("timed out waiting for " + what)


admin = AdminClient({"bootstrap.servers": bootstrap})
step("confluent-kafka create_topics")
futures = admin.create_topics([NewTopic("ck-admin", num_partitions=3, replication_factor=3)],
                              operation_timeout=20)
futures["ck-admin"].result(30)

step("confluent-kafka list_topics")
def listed():
    md = admin.list_topics(timeout=10)
    topic = md.topics.get("ck-admin")
    return (len(md.brokers) == 2 and topic is not None and topic.error is None
            and len(topic.partitions) == 3
            and all(p.leader in md.brokers for p in topic.partitions.values()))
wait_for(listed, "ck-admin with 3 partitions led by gateways")

step("confluent-kafka create_topics duplicate -> TOPIC_ALREADY_EXISTS")
futures = admin.create_topics([NewTopic("ck-admin", num_partitions=1, replication_factor=1)])
try:
    futures["ck-admin"].result(30)
    raise SystemExit("duplicate topic creation succeeded")
except Exception as e:  # KafkaException carrying TOPIC_ALREADY_EXISTS
    if "TOPIC_ALREADY_EXISTS" not in str(e) and "already exists" not in str(e):
        raise

step("confluent-kafka create_partitions")
admin.create_partitions([NewPartitions("ck-admin", 5)])["ck-admin"].result(30)
wait_for(lambda: len(admin.list_topics(timeout=10).topics["ck-admin"].partitions) == 5,
         "5 partitions")

step("kafka-python create_topics")
kp = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
kp.create_topics([KpNewTopic("kp-admin", num_partitions=2, replication_factor=2)],
                 timeout_ms=20000)
wait_for(lambda: "kp-admin" in kp.list_topics(), "kp-admin listed")

if with_configs:
    step("confluent-kafka describe_configs")
    resource = ConfigResource(ConfigResource.Type.TOPIC, "ck-admin")
    configs = admin.describe_configs([resource])[resource].result(30)
    if "retention.ms" not in configs or "cleanup.policy" not in configs:
        raise SystemExit("describe_configs lacks retention.ms/cleanup.policy: %s" % sorted(configs))

    step("confluent-kafka alter_configs")
    resource = ConfigResource(ConfigResource.Type.TOPIC, "ck-admin",
                              set_config={"retention.ms": "3600000"})
    admin.alter_configs([resource])[resource].result(30)
    def altered():
        r = ConfigResource(ConfigResource.Type.TOPIC, "ck-admin")
        return admin.describe_configs([r])[r].result(30)["retention.ms"].value == "3600000"
    wait_for(altered, "retention.ms altered")

    step("kafka-python describe_configs")
    result = kp.describe_configs([KpConfigResource(KpConfigResourceType.TOPIC, "kp-admin")])
    if not result or not result[0].resources:
        raise SystemExit("kafka-python describe_configs returned nothing")

step("confluent-kafka delete_topics")
admin.delete_topics(["ck-admin", "kp-admin"], operation_timeout=20)["ck-admin"].result(30)
wait_for(lambda: "ck-admin" not in admin.list_topics(timeout=10).topics, "ck-admin gone")
kp.close()
print("all steps passed", flush=True)
