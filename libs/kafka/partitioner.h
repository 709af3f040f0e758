// Kafka's default key partitioner as the Java client computes it (Utils.murmur2, toPositive;
// BuiltInPartitioner.partitionForKey; kafka-protocol.md §5): 32-bit MurmurHash2 with seed
// 0x9747b28c over the key bytes, then `(hash & 0x7fffffff) % partitions` — masking, not abs().
// Any server-side partitioning (REST produce, tools, tests) must use this so records land where a
// Java, kafka-python or kafkajs producer would put them. Null keys are not hashed (clients use
// sticky/round-robin assignment for them).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace eddy::kafka {

// Murmur2 returns Java's Utils.murmur2 of `data` as a signed 32-bit value.
int32_t Murmur2(std::span<const uint8_t> data);
inline int32_t Murmur2(std::string_view data) {
  return Murmur2(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

// ToPositive is Java's Utils.toPositive: clears the sign bit.
constexpr int32_t ToPositive(int32_t v) { return v & 0x7fffffff; }

// PartitionForKey returns the partition a Java producer picks for a non-null key.
// REQUIRES: num_partitions > 0.
inline int32_t PartitionForKey(std::string_view key, int32_t num_partitions) {
  return ToPositive(Murmur2(key)) % num_partitions;
}

// GroupShard is the __consumer_offsets partition (coordinator shard) of `group_id` as Kafka
// computes it (GroupCoordinatorService.partitionFor): abs(Java String.hashCode(group_id)) %
// num_shards, hashing UTF-16 code units. The coordinator and the gateway's routing share it.
// REQUIRES: num_shards > 0.
int32_t GroupShard(std::string_view group_id, int32_t num_shards);

}  // namespace eddy::kafka
