// kafkajs flows for capture_goldens.py: drives kafkajs (pinned in tests/clients/node) through every
// API the golden tests need, against the broker address given as argv[2] (kafka_capture_proxy in
// front of librdkafka's mock cluster). capture_goldens.py puts tests/clients/node/node_modules on
// NODE_PATH. Errors are reported and the flow goes on, so one unsupported call does not hide the
// frames of the others; the golden test's coverage table says which frames must exist.
//
// Usage: NODE_PATH=tests/clients/node/node_modules node kafkajs_flows.js <host:port>
'use strict';

const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const broker = process.argv[2];
const kafka = new Kafka({
  clientId: 'kafkajs-golden',
  brokers: [broker],
  logLevel: logLevel.ERROR,
  retry: { retries: 2, initialRetryTime: 100 },
});

function compressibleMessages(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push({ key: `k${i}`, value: `value-${i}-`.repeat(20) });
  out.push({ value: 'nokey', headers: { h: 'v' } });
  return out;
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    console.error(`kafkajs ${name}: ${e.message}`);
  }
}

async function admin() {
  const client = kafka.admin();
  await client.connect();
  // The mock cluster cannot create topics (the capture proxy answers CreateTopics itself), so the
  // new topic never shows up in Metadata: do not wait for its leaders.
  await step('createTopics', () =>
    client.createTopics({ topics: [{ topic: 't4', numPartitions: 2 }], waitForLeaders: false }));
  await step('fetchTopicOffsets', () => client.fetchTopicOffsets('t1'));
  await client.disconnect();
}

async function produce() {
  const producer = kafka.producer();
  await producer.connect();
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
    await step(`send ${compression}`, () =>
      producer.send({ topic: 't1', compression, messages: compressibleMessages(10) }));
  }
  await producer.disconnect();
}

async function transactions() {
  const producer = kafka.producer({ transactionalId: 'txjs', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await step('committed transaction', async () => {
    const txn = await producer.transaction();
    await txn.send({ topic: 't1', messages: [{ key: 'tk', value: 'transactional value '.repeat(20) }] });
    await txn.sendOffsets({
      consumerGroupId: 'gjs',
      topics: [{ topic: 't1', partitions: [{ partition: 0, offset: '1' }] }],
    });
    await txn.commit();
  });
  await step('aborted transaction', async () => {
    const txn = await producer.transaction();
    await txn.send({ topic: 't2', messages: [{ value: 'aborted' }] });
    await txn.abort();
  });
  await producer.disconnect();
}

async function consume() {
  // Short heartbeat and auto-commit intervals so a few seconds of consuming send both.
  const consumer = kafka.consumer({ groupId: 'gjs', sessionTimeout: 6000, heartbeatInterval: 300 });
  await consumer.connect();
  await consumer.subscribe({ topics: ['t1'], fromBeginning: true });
  await consumer.run({ autoCommitInterval: 200, eachMessage: async () => {} });
  await new Promise((resolve) => setTimeout(resolve, 4000));
  await consumer.disconnect();
}

async function main() {
  await step('admin', admin);
  await step('produce', produce);
  await step('transactions', transactions);
  await step('consume', consume);
}

main().then(() => process.exit(0));
