// @kafkajs/confluent-schema-registry (pinned in tests/clients/node) against a real eddy-registry
// (issue 9, acceptance 2): register AVRO, PROTOBUF and JSON schemas, each with a reference to
// another registered schema, then encode and decode records through the registry's ids.
// Usage: node registry_node_client.js <registry url>. Prints one line per check; exit 1 on failure.
'use strict';

const path = require('path');
const assert = require('assert');
const { SchemaRegistry, SchemaType } = require(path.join(
  process.env.EDDY_NODE_MODULES, '@kafkajs/confluent-schema-registry'));

const registry = new SchemaRegistry({ host: process.argv[2] });

async function roundTrip(label, id, record) {
  const encoded = await registry.encode(id, record);
  // Confluent's wire format: magic byte 0, then the schema id as a big-endian int32.
  assert.strictEqual(encoded[0], 0, `${label}: magic byte`);
  assert.strictEqual(encoded.readInt32BE(1), id, `${label}: schema id in the frame`);
  const decoded = await registry.decode(encoded);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(decoded)), record, `${label}: decoded record`);
  console.log(`ok ${label} id=${id} bytes=${encoded.length}`);
}

async function avro() {
  const address = {
    type: 'record', name: 'Address', namespace: 'eddy.test',
    fields: [{ name: 'city', type: 'string' }],
  };
  const inner = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(address) }, { subject: 'node-address-avro' });
  const person = {
    type: 'record', name: 'Person', namespace: 'eddy.test',
    fields: [{ name: 'name', type: 'string' }, { name: 'address', type: 'eddy.test.Address' }],
  };
  const outer = await registry.register(
    {
      type: SchemaType.AVRO, schema: JSON.stringify(person),
      references: [{ name: 'eddy.test.Address', subject: 'node-address-avro', version: 1 }],
    },
    { subject: 'node-person-avro' });
  assert.notStrictEqual(outer.id, inner.id);
  await roundTrip('avro', inner.id, { city: 'Lisbon' });
  await roundTrip('avro-with-reference', outer.id, { name: 'Ana', address: { city: 'Porto' } });
  // Registering the same schema again answers the same id.
  const again = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(address) }, { subject: 'node-address-avro' });
  assert.strictEqual(again.id, inner.id, 'avro: same schema, same id');
  assert.strictEqual(await registry.getLatestSchemaId('node-person-avro'), outer.id);
}

async function protobuf() {
  const inner = await registry.register(
    {
      type: SchemaType.PROTOBUF,
      schema: 'syntax = "proto3";\npackage eddy.test;\n\nmessage Money {\n  string currency = 1;\n  int32 units = 2;\n}\n',
    },
    { subject: 'node-money-proto' });
  const outer = await registry.register(
    {
      type: SchemaType.PROTOBUF,
      schema: 'syntax = "proto3";\npackage eddy.test;\n\nimport "money.proto";\n\n' +
        'message Order {\n  string id = 1;\n  Money total = 2;\n  repeated string items = 3;\n}\n',
      references: [{ name: 'money.proto', subject: 'node-money-proto', version: 1 }],
    },
    { subject: 'node-order-proto' });
  await roundTrip('protobuf', inner.id, { currency: 'EUR', units: 12 });
  await roundTrip('protobuf-with-reference', outer.id,
    { id: 'o-1', total: { currency: 'EUR', units: 30 }, items: ['a', 'b'] });
}

async function json() {
  const inner = await registry.register(
    {
      type: SchemaType.JSON,
      schema: JSON.stringify({
        $id: 'https://eddy.test/point.json', type: 'object',
        properties: { x: { type: 'integer' }, y: { type: 'integer' } },
        required: ['x', 'y'],
      }),
    },
    { subject: 'node-point-json' });
  const outer = await registry.register(
    {
      type: SchemaType.JSON,
      schema: JSON.stringify({
        $id: 'https://eddy.test/shape.json', type: 'object',
        properties: {
          name: { type: 'string' },
          points: { type: 'array', items: { $ref: 'https://eddy.test/point.json' } },
        },
        required: ['name'],
      }),
      references: [{ name: 'https://eddy.test/point.json', subject: 'node-point-json', version: 1 }],
    },
    { subject: 'node-shape-json' });
  await roundTrip('json', inner.id, { x: 1, y: 2 });
  await roundTrip('json-with-reference', outer.id,
    { name: 'triangle', points: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }] });
  // The client validates against the registered schema: an invalid record is refused.
  await assert.rejects(registry.encode(outer.id, { name: 'bad', points: [{ x: 'no' }] }));
  console.log('ok json-validation');
}

(async () => {
  await avro();
  await protobuf();
  await json();
  console.log('all ok');
})().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
