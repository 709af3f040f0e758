#!/usr/bin/python3
"""Captures request/response frames between real clients and librdkafka's mock cluster through
kafka_capture_proxy, and writes the distinct (client, direction, api key, version) frames to
libs/kafka/testdata/captured_goldens.txt for captured_golden_test.

Usage (Debian's interpreter, which sees python3-kafka and python3-confluent-kafka):
  /usr/bin/python3 libs/kafka/tools/capture_goldens.py <build_dir>/libs/kafka/kafka_capture_proxy [client...]
Clients: librdkafka (kcat, librdkafka 2.0.2), kafka-python 2.0.2, confluent-kafka-python 1.7.0
(librdkafka 2.0.2 underneath) and kafkajs 2.2.4 (needs `npm ci` in tests/clients/node first).
Naming clients re-captures only those; the other clients' committed frames are kept as they are.
The mock cluster lacks CreateTopics: the proxy advertises and answers it (see capture_proxy.cc), so
CreateTopics requests are real client bytes and have no recorded response.
stdlib + ctypes only otherwise.
"""
import ctypes
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'testdata', 'captured_goldens.txt')
NODE_MODULES = os.path.join(HERE, '..', '..', '..', 'tests', 'clients', 'node', 'node_modules')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_mock_cluster():
    """Creates a one-broker mock cluster inside this process via librdkafka's C API."""
    rk_lib = ctypes.CDLL('librdkafka.so.1')
    rk_lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    rk_lib.rd_kafka_new.restype = ctypes.c_void_p
    rk_lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    rk_lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    rk_lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    rk_lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    rk_lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    rk_lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    errstr = ctypes.create_string_buffer(512)
    rk = rk_lib.rd_kafka_new(0, rk_lib.rd_kafka_conf_new(), errstr, 512)
    mcluster = rk_lib.rd_kafka_mock_cluster_new(rk, 1)
    for topic in (b't1', b't2'):
        rk_lib.rd_kafka_mock_topic_create(mcluster, topic, 2, 1)
    bootstrap = rk_lib.rd_kafka_mock_cluster_bootstraps(mcluster).decode()
    return (rk_lib, rk, mcluster), bootstrap


def run(cmd, stdin=None, timeout=20, env=None, quiet=True):
    """Runs one client flow; a flow that hangs is cut off and its frames so far are kept. The
    kafka-python and kafkajs flows report failed steps on stderr (quiet=False)."""
    try:
        subprocess.run(cmd, input=stdin, timeout=timeout, capture_output=quiet, env=env)
    except subprocess.TimeoutExpired:
        pass


def kcat_flows(broker):
    base = ['kcat', '-b', broker, '-X', 'socket.timeout.ms=5000']
    run(base + ['-L'])
    for codec in ('none', 'gzip', 'snappy', 'lz4', 'zstd'):
        # Compressible values: librdkafka sends a batch uncompressed when compression does not help.
        lines = b''.join(b'k%d:%s\n' % (i, b'value-%d-' % i * 20) for i in range(10))
        run(base + ['-P', '-t', 't1', '-z', codec, '-K', ':'], stdin=lines + b':nokey\n')
    run(base + ['-X', 'enable.idempotence=true', '-P', '-t', 't2'], stdin=b'a\nb\n')
    run(base + ['-C', '-t', 't1', '-o', 'beginning', '-e'])
    run(base + ['-G', 'g1', 't1', '-X', 'auto.offset.reset=earliest', '-X', 'enable.auto.commit=true',
                '-X', 'auto.commit.interval.ms=200', '-X', 'session.timeout.ms=6000'], timeout=10)


CONFLUENT_KAFKA = r'''
import sys
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
broker = sys.argv[1]
admin = AdminClient({'bootstrap.servers': broker})
for f in admin.create_topics([NewTopic('t3', 1, 1)]).values():
    try:
        f.result(10)
    except Exception:
        pass
p = Producer({'bootstrap.servers': broker, 'transactional.id': 'tx1', 'compression.type': 'lz4'})
p.init_transactions(10)
p.begin_transaction()
p.produce('t1', key=b'tk', value=b'transactional value ' * 20)
c = Consumer({'bootstrap.servers': broker, 'group.id': 'g3', 'auto.offset.reset': 'earliest'})
p.send_offsets_to_transaction([TopicPartition('t1', 0, 1)], c.consumer_group_metadata(), 10)
p.commit_transaction(10)
p.begin_transaction()
p.produce('t2', value=b'aborted')
p.abort_transaction(10)
c.close()
'''


def confluent_kafka_flows(broker):
    run(['/usr/bin/python3', '-c', CONFLUENT_KAFKA, broker], timeout=40)


KAFKA_PYTHON = r'''
import sys
from kafka import KafkaProducer, KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic
broker = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=broker, api_version_auto_timeout_ms=5000)
try:
    admin.create_topics([NewTopic('t5', 2, 1)], timeout_ms=5000)
except Exception as e:
    print('create_topics:', e, file=sys.stderr)
admin.close()
# Compressible values: kafka-python sends a batch uncompressed when compression does not help.
# Its snappy, lz4 and zstd codecs need Python modules Debian 12 does not install with it.
for codec in (None, 'gzip'):
    p = KafkaProducer(bootstrap_servers=broker, compression_type=codec, api_version_auto_timeout_ms=5000)
    for i in range(3):
        p.send('t1', key=b'k%d' % i, value=b'value-%d-' % i * 20)
    p.flush(10)
    p.close(5)
# Short heartbeat and auto-commit intervals so the consuming seconds send both.
c = KafkaConsumer('t1', bootstrap_servers=broker, group_id='g2', auto_offset_reset='earliest',
                  consumer_timeout_ms=5000, api_version_auto_timeout_ms=5000,
                  heartbeat_interval_ms=300, auto_commit_interval_ms=200)
for _ in c:
    pass
c.commit()
c.close()
'''


def kafka_python_flows(broker):
    run(['/usr/bin/python3', '-c', KAFKA_PYTHON, broker], timeout=60, quiet=False)


def kafkajs_flows(broker):
    env = dict(os.environ, NODE_PATH=NODE_MODULES)
    run(['node', os.path.join(HERE, 'kafkajs_flows.js'), broker], timeout=90, env=env, quiet=False)


FLOWS = {
    'librdkafka': kcat_flows,
    'kafka-python': kafka_python_flows,
    'confluent-kafka-python': confluent_kafka_flows,
    'kafkajs': kafkajs_flows,
}


def committed_records(keep_clients):
    records = {}
    if not os.path.exists(OUT):
        return records
    with open(OUT) as f:
        for line in f:
            client, direction, key, version, payload = line.split()
            if client in keep_clients:
                records.setdefault((client, direction, int(key), int(version)), []).append(payload)
    return records


def main():
    proxy_bin = sys.argv[1]
    clients = sys.argv[2:] or list(FLOWS)
    records = committed_records(set(FLOWS) - set(clients))
    clusters = []
    for client in clients:
        flows = FLOWS[client]
        # A fresh cluster per client: kcat leaves snappy/lz4/zstd batches in t1, which the
        # kafka-python and kafkajs consumers cannot decompress without optional codec modules.
        cluster, bootstrap = start_mock_cluster()
        clusters.append(cluster)
        host, port = bootstrap.split(',')[0].rsplit(':', 1)
        host = socket.gethostbyname(host)
        capture = tempfile.NamedTemporaryFile(delete=False).name
        listen = free_port()
        proxy = subprocess.Popen([proxy_bin, str(listen), host, port, capture])
        time.sleep(0.3)
        try:
            flows('127.0.0.1:%d' % listen)
        finally:
            proxy.terminate()
            proxy.wait()
        with open(capture) as f:
            for line in f:
                direction, key, version, payload = (line.split() + [''])[:4]
                if key == '-1':
                    continue
                # Keep the first frames of each kind (more for Produce: one per codec); later ones
                # repeat the same shapes.
                bucket = records.setdefault((client, direction, int(key), int(version)), [])
                if len(bucket) < (12 if key == '0' else 2):
                    bucket.append(payload)
        os.unlink(capture)
    with open(OUT, 'w') as f:
        for (client, direction, key, version), payloads in sorted(records.items()):
            for payload in payloads:
                f.write('%s %s %d %d %s\n' % (client, direction, key, version, payload))
    del clusters


if __name__ == '__main__':
    main()
