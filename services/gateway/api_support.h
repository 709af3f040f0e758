// The Kafka APIs and versions the gateway serves end to end, which ApiVersions advertises
// (kafka-protocol.md §1.2: advertised = accepted; advertise only what is implemented). Ranges are
// the reference's recommended client-facing ranges capped where Eddy's semantics stop:
//  - Produce is advertised from v0 (librdkafka's compression probe, §1.2) but accepted from v3
//    (RecordBatch v2 only, as Kafka 4 after KIP-896); an older version closes the connection.
//  - Fetch stops at v12: v13+ name topics by id only (KIP-516).
//  - ListOffsets stops at v7 (v8+ add tiered-storage timestamps).
//  - OffsetCommit starts at v2 and OffsetFetch at v1, as Kafka 4.0: the older versions meant
//    ZooKeeper-stored offsets, which Eddy does not have (librdkafka needs OffsetCommit within
//    [1,2] and OffsetFetch v1, §1.2). Group APIs go up to their newest classic-group versions;
//    JoinGroup from v0 (librdkafka < 2.11 enables consumer groups only then; v0 uses the session
//    timeout as rebalance timeout).
#pragma once

#include <cstdint>
#include <span>

namespace eddy::gateway {

struct SupportedApi {
  int16_t api_key;
  int16_t min_version;       // advertised
  int16_t max_version;       // advertised and accepted
  int16_t accepted_min;      // lowest version actually served
};

// SupportedApis lists the served APIs in ascending api_key order.
std::span<const SupportedApi> SupportedApis();

// FindSupportedApi returns the entry for `api_key`, or nullptr when the gateway does not serve it.
const SupportedApi* FindSupportedApi(int16_t api_key);

}  // namespace eddy::gateway
