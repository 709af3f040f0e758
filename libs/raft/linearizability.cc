#include "libs/raft/linearizability.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace eddy::raft {
namespace {

using Kind = KvOperation::Kind;
using Register = std::optional<int64_t>;

// Step applies `op` to the register; false when the op's observed outcome contradicts the model.
bool Step(const KvOperation& op, Register& reg) {
  const bool observed = op.returned != KvOperation::kPending;
  switch (op.kind) {
    case Kind::kPut:
      reg = op.value;
      return true;
    case Kind::kGet:
      return !observed || op.read == reg;
    case Kind::kCas: {
      const bool ok = reg == op.expected;
      if (observed && ok != op.cas_ok) return false;
      if (ok) reg = op.value;
      return true;
    }
  }
  return false;
}

class KeyChecker {
 public:
  explicit KeyChecker(std::vector<KvOperation> ops) : ops_(std::move(ops)) {
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (ops_[i].returned != KvOperation::kPending) required_ |= uint64_t{1} << i;
    }
  }

  bool Linearizable() { return Search(0, std::nullopt); }

 private:
  bool Search(uint64_t done, Register reg) {
    if ((done & required_) == required_) return true;
    if (!seen_.insert({done, reg}).second) return false;
    // An operation may go next only if it was invoked before every other pending operation
    // returned.
    int64_t first_return = KvOperation::kPending;
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (!(done & (uint64_t{1} << i))) first_return = std::min(first_return, ops_[i].returned);
    }
    for (size_t i = 0; i < ops_.size(); ++i) {
      const uint64_t bit = uint64_t{1} << i;
      if ((done & bit) || ops_[i].invoked > first_return) continue;
      Register next = reg;
      if (Step(ops_[i], next) && Search(done | bit, next)) return true;
    }
    return false;
  }

  std::vector<KvOperation> ops_;
  uint64_t required_ = 0;
  std::set<std::pair<uint64_t, Register>> seen_;
};

}  // namespace

std::string DescribeOperation(const KvOperation& op) {
  std::string out;
  switch (op.kind) {
    case Kind::kPut:
      out = absl::StrCat("put(k", op.key, ", ", op.value, ")");
      break;
    case Kind::kGet:
      out = absl::StrCat("get(k", op.key, ")");
      break;
    case Kind::kCas:
      out = absl::StrCat("cas(k", op.key, ", ", op.expected, " -> ", op.value, ")");
      break;
  }
  absl::StrAppend(&out, " [", op.invoked, ", ");
  if (op.returned == KvOperation::kPending) {
    absl::StrAppend(&out, "pending]");
    return out;
  }
  absl::StrAppend(&out, op.returned, "] -> ");
  if (op.kind == Kind::kGet) {
    absl::StrAppend(&out, op.read ? absl::StrCat(*op.read) : "absent");
  } else if (op.kind == Kind::kCas) {
    absl::StrAppend(&out, op.cas_ok ? "ok" : "failed");
  } else {
    absl::StrAppend(&out, "ok");
  }
  return out;
}

std::optional<std::string> CheckLinearizable(const std::vector<KvOperation>& history) {
  std::map<int, std::vector<KvOperation>> by_key;
  for (const KvOperation& op : history) by_key[op.key].push_back(op);
  for (auto& [key, ops] : by_key) {
    if (ops.size() > 64) return absl::StrCat("key ", key, ": ", ops.size(), " operations (max 64)");
    if (!KeyChecker(ops).Linearizable()) {
      std::string out = absl::StrCat("key ", key, " is not linearizable:");
      for (const KvOperation& op : ops) absl::StrAppend(&out, "\n  ", DescribeOperation(op));
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace eddy::raft
