// Acceptance 3: kafkajs 2.2.4 (pinned in package.json) through the gateways — admin createTopics
// and fetchTopicMetadata, then with "produce" a keyed produce, and with "consume" also a consumer
// from the beginning (a consumer group: needs the coordinator's group APIs through the gateway).
// Usage: node kafkajs_client.js BOOTSTRAP produce|consume. Prints each step; exits non-zero on failure.
const { Kafka, logLevel, Partitioners } = require('kafkajs');

const bootstrap = process.argv[2].split(',');
const mode = process.argv[3];
const kafka = new Kafka({ clientId: 'eddy-e2e', brokers: bootstrap, logLevel: logLevel.ERROR });

function step(name) { console.log('step: ' + name); }

async function waitFor(condition, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting for ' + what);
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  step('admin createTopics');
  const created = await admin.createTopics({
    topics: [{ topic: 'kjs-topic', numPartitions: 3, replicationFactor: 3 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error('createTopics reported the topic as existing');
  step('admin fetchTopicMetadata');
  await waitFor(async () => {
    const md = await admin.fetchTopicMetadata({ topics: ['kjs-topic'] });
    const t = md.topics[0];
    return t.name === 'kjs-topic' && t.partitions.length === 3 &&
        t.partitions.every((p) => p.leader === 1 || p.leader === 2);
  }, 'kjs-topic metadata');
  await admin.disconnect();
  {
    step('producer send');
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // One send per message, so each answer names the partition kafkajs chose for that key.
    for (let i = 0; i < 100; i++) {
      const [meta] = await producer.send({
        topic: 'kjs-topic', messages: [{ key: 'key-' + i, value: 'value-' + i }], acks: -1,
      });
      console.log('partition kafkajs key-' + i + ' ' + meta.partition);
    }
    await producer.disconnect();

  }
  if (mode === 'consume') {
    step('consumer from beginning');
    const consumer = kafka.consumer({ groupId: 'kjs-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'kjs-topic', fromBeginning: true });
    const seen = new Set();
    await consumer.run({ eachMessage: async ({ message }) => { seen.add(message.value.toString()); } });
    await waitFor(async () => seen.size === 100, '100 messages consumed', 60000);
    await consumer.disconnect();
  }
  console.log('all steps passed');
}

main().catch((e) => { console.error(e); process.exit(1); });
