// Issue 7, acceptance 3: kafkajs 2.2.4 (pinned in package.json) through the gateways — admin
// createTopics and fetchTopicMetadata, then with "produce" a keyed produce, and with "consume" also
// a group consumer from the beginning. With "group" (issue 8, acceptance 2) after the produce: a
// group consumes and commits part of the records, a restarted member resumes at the committed
// offsets (admin fetchOffsets agrees), describeGroups/listGroups show the stable group, and a new
// group with fromBeginning false ("latest") sees only records produced after it joined.
// Usage: node kafkajs_client.js BOOTSTRAP produce|consume|group. Prints each step; exits non-zero
// on failure.
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
  if (mode === 'group') await groups();
  console.log('all steps passed');
}

async function groups() {
  const topic = 'kjs-topic';
  step('group consumes 40 records and commits them');
  const committed = new Map();  // partition -> next offset
  const first = kafka.consumer({ groupId: 'kjs-resume', sessionTimeout: 6000, heartbeatInterval: 1000 });
  await first.connect();
  await first.subscribe({ topic, fromBeginning: true });
  let processed = 0;
  await first.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (processed >= 40) return;
      processed++;
      const next = (BigInt(message.offset) + 1n).toString();
      await first.commitOffsets([{ topic, partition, offset: next }]);
      committed.set(partition, next);
    },
  });
  await waitFor(async () => processed >= 40, '40 records processed', 60000);
  await first.disconnect();

  const admin = kafka.admin();
  await admin.connect();
  const fetched = await admin.fetchOffsets({ groupId: 'kjs-resume', topics: [topic] });
  for (const p of fetched[0].partitions) {
    const expected = committed.get(p.partition) || '-1';
    if (p.offset !== expected) {
      throw new Error(`partition ${p.partition}: fetchOffsets ${p.offset}, committed ${expected}`);
    }
  }

  step('a restarted member resumes at the committed offsets');
  const firstOffset = new Map();
  let rest = 0;
  const second = kafka.consumer({ groupId: 'kjs-resume', sessionTimeout: 6000, heartbeatInterval: 1000 });
  await second.connect();
  await second.subscribe({ topic, fromBeginning: true });
  await second.run({
    eachMessage: async ({ partition, message }) => {
      if (!firstOffset.has(partition)) firstOffset.set(partition, message.offset);
      rest++;
    },
  });
  await waitFor(async () => rest >= 60, '60 remaining records', 60000);
  for (const [partition, offset] of firstOffset) {
    const expected = committed.get(partition) || '0';
    if (offset !== expected) {
      throw new Error(`partition ${partition} resumed at ${offset}, committed ${expected}`);
    }
  }
  if (rest !== 60) throw new Error(`restarted member consumed ${rest} records, not 60`);

  step('describeGroups and listGroups show the stable group');
  await waitFor(async () => {
    const { groups: described } = await admin.describeGroups(['kjs-resume']);
    return described[0].state === 'Stable' && described[0].members.length === 1;
  }, 'a stable kjs-resume group with one member');
  const { groups: listed } = await admin.listGroups();
  if (listed.filter((g) => g.groupId === 'kjs-resume').length !== 1) {
    throw new Error('listGroups: ' + JSON.stringify(listed));
  }
  await second.disconnect();

  step('fromBeginning false: a new group sees only records produced after it joined');
  const late = new Set();
  const latest = kafka.consumer({ groupId: 'kjs-latest', sessionTimeout: 6000, heartbeatInterval: 1000 });
  let fetches = 0;
  latest.on(latest.events.FETCH, () => { fetches++; });
  await latest.connect();
  await latest.subscribe({ topic, fromBeginning: false });
  await latest.run({ eachMessage: async ({ message }) => { late.add(message.value.toString()); } });
  // Once it has fetched, its positions are resolved to the log ends.
  await waitFor(async () => fetches > 0, 'the latest group fetching', 60000);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < 6; i++) {
    await producer.send({ topic, messages: [{ key: 'late-' + i, value: 'late-' + i }], acks: -1 });
  }
  await producer.disconnect();
  await waitFor(async () => late.size >= 6, '6 late records', 60000);
  await new Promise((r) => setTimeout(r, 1000));
  const values = [...late].sort();
  if (values.length !== 6 || values.some((v) => !v.startsWith('late-'))) {
    throw new Error('latest group saw ' + JSON.stringify(values));
  }
  await latest.disconnect();
  await admin.disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
