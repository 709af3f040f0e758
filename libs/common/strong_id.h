// StrongId gives each kind of identifier its own type so an Offset cannot be passed where a
// LeaderEpoch is expected, nor a BrokerId where a NodeId is. A StrongId is a zero-cost wrapper over
// its integer representation: construction from the raw value is explicit, and value() unwraps it.
// Ids compare, hash (Abseil and std), print with operator<< and format with fmt/spdlog as their
// bare value. Arithmetic exists only for ids whose tag opts in (`static constexpr bool kArithmetic
// = true`): offsets, log indexes, terms, epochs, generations and producer ids, where "next" and
// "distance" mean something; broker and node ids have none.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <type_traits>
#include <utility>

#include "fmt/format.h"

namespace eddy::common {

// ArithmeticIdTag holds for tags that enable ++, --, +, - and += / -= on their StrongId.
template <typename Tag>
concept ArithmeticIdTag = requires { requires Tag::kArithmetic; };

// StrongId is a distinct integer-backed identifier type named by `Tag`. A default-constructed id
// holds Rep{} (zero).
template <typename Tag, typename Rep>
class StrongId {
  static_assert(std::is_integral_v<Rep>, "StrongId wraps an integer");

 public:
  using tag_type = Tag;
  using rep_type = Rep;

  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}

  constexpr Rep value() const { return value_; }

  friend constexpr bool operator==(StrongId, StrongId) = default;
  friend constexpr auto operator<=>(StrongId, StrongId) = default;

  template <typename H>
  friend H AbslHashValue(H h, StrongId id) {
    return H::combine(std::move(h), id.value_);
  }

  friend std::ostream& operator<<(std::ostream& os, StrongId id) {
    // Unary + prints int8-sized reps as numbers, not characters.
    return os << +id.value_;
  }

  // Arithmetic, only for tags that opt in.
  constexpr StrongId& operator++()
    requires ArithmeticIdTag<Tag>
  {
    ++value_;
    return *this;
  }
  constexpr StrongId operator++(int)
    requires ArithmeticIdTag<Tag>
  {
    StrongId old = *this;
    ++value_;
    return old;
  }
  constexpr StrongId& operator--()
    requires ArithmeticIdTag<Tag>
  {
    --value_;
    return *this;
  }
  constexpr StrongId operator--(int)
    requires ArithmeticIdTag<Tag>
  {
    StrongId old = *this;
    --value_;
    return old;
  }
  constexpr StrongId& operator+=(Rep delta)
    requires ArithmeticIdTag<Tag>
  {
    value_ = static_cast<Rep>(value_ + delta);
    return *this;
  }
  constexpr StrongId& operator-=(Rep delta)
    requires ArithmeticIdTag<Tag>
  {
    value_ = static_cast<Rep>(value_ - delta);
    return *this;
  }
  friend constexpr StrongId operator+(StrongId id, Rep delta)
    requires ArithmeticIdTag<Tag>
  {
    return StrongId(static_cast<Rep>(id.value_ + delta));
  }
  friend constexpr StrongId operator-(StrongId id, Rep delta)
    requires ArithmeticIdTag<Tag>
  {
    return StrongId(static_cast<Rep>(id.value_ - delta));
  }
  // The distance between two ids (e.g. consumer lag = end offset - committed offset).
  friend constexpr Rep operator-(StrongId a, StrongId b)
    requires ArithmeticIdTag<Tag>
  {
    return static_cast<Rep>(a.value_ - b.value_);
  }

 private:
  Rep value_{};
};

}  // namespace eddy::common

namespace eddy {

using common::StrongId;

struct BrokerIdTag {};
struct NodeIdTag {};
struct OffsetTag {
  static constexpr bool kArithmetic = true;
};
struct LeaderEpochTag {
  static constexpr bool kArithmetic = true;
};
struct PartitionEpochTag {
  static constexpr bool kArithmetic = true;
};
struct TermTag {
  static constexpr bool kArithmetic = true;
};
struct LogIndexTag {
  static constexpr bool kArithmetic = true;
};
struct ProducerIdTag {
  static constexpr bool kArithmetic = true;
};
struct ProducerEpochTag {
  static constexpr bool kArithmetic = true;
};
struct GenerationIdTag {
  static constexpr bool kArithmetic = true;
};

// BrokerId is a broker's node.id as Kafka clients see it.
using BrokerId = StrongId<BrokerIdTag, int32_t>;
// NodeId names a daemon instance inside the cluster (controller voters, coordinators).
using NodeId = StrongId<NodeIdTag, int32_t>;
// Offset is a record's position in a partition log.
using Offset = StrongId<OffsetTag, int64_t>;
// LeaderEpoch counts leadership changes of a partition (KIP-101, KIP-320).
using LeaderEpoch = StrongId<LeaderEpochTag, int32_t>;
// PartitionEpoch counts any change of a partition's replicas/ISR/leader (KIP-497 AlterPartition).
using PartitionEpoch = StrongId<PartitionEpochTag, int32_t>;
// Term is a Raft term (Raft paper §5.1).
using Term = StrongId<TermTag, int64_t>;
// LogIndex is a position in a Raft log (Raft paper §5.3).
using LogIndex = StrongId<LogIndexTag, int64_t>;
// ProducerId identifies an idempotent or transactional producer (KIP-98).
using ProducerId = StrongId<ProducerIdTag, int64_t>;
// ProducerEpoch fences zombie instances of a producer id (KIP-98).
using ProducerEpoch = StrongId<ProducerEpochTag, int16_t>;
// GenerationId is a consumer group's generation.
using GenerationId = StrongId<GenerationIdTag, int32_t>;

}  // namespace eddy

template <typename Tag, typename Rep>
struct std::hash<eddy::common::StrongId<Tag, Rep>> {
  size_t operator()(eddy::common::StrongId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>()(id.value());
  }
};

// Formats a StrongId as its bare value, accepting the integer format specs ("{:>8}", "{:x}").
template <typename Tag, typename Rep, typename Char>
struct fmt::formatter<eddy::common::StrongId<Tag, Rep>, Char> : fmt::formatter<Rep, Char> {
  template <typename FormatContext>
  auto format(eddy::common::StrongId<Tag, Rep> id, FormatContext& ctx) const {
    return fmt::formatter<Rep, Char>::format(id.value(), ctx);
  }
};
