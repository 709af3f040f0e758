#include "libs/raft/internal/kv_model.h"

#include <sstream>

#include "absl/strings/str_cat.h"

namespace eddy::raft::internal {

std::string EncodeKv(const KvState& kv) {
  std::string out;
  for (const auto& [key, value] : kv) absl::StrAppend(&out, key, "=", value, ";");
  return out;
}

KvState DecodeKv(const std::string& data) {
  KvState kv;
  std::istringstream in(data);
  int key = 0;
  char eq = 0;
  char semi = 0;
  int64_t value = 0;
  while (in >> key >> eq >> value >> semi) kv[key] = value;
  return kv;
}

std::string EncodeCommand(const KvCommand& c) {
  return absl::StrCat(static_cast<int>(c.kind), " ", c.key, " ", c.value, " ", c.expected);
}

std::optional<KvCommand> DecodeCommand(const std::string& data) {
  std::istringstream in(data);
  int kind = 0;
  KvCommand c;
  if (!(in >> kind >> c.key >> c.value >> c.expected)) return std::nullopt;
  if (kind != static_cast<int>(KvOperation::Kind::kPut) &&
      kind != static_cast<int>(KvOperation::Kind::kCas)) {
    return std::nullopt;
  }
  c.kind = static_cast<KvOperation::Kind>(kind);
  return c;
}

bool ApplyCommand(const KvCommand& c, KvState& kv) {
  if (c.kind == KvOperation::Kind::kPut) {
    kv[c.key] = c.value;
    return false;
  }
  auto it = kv.find(c.key);
  if (it == kv.end() || it->second != c.expected) return false;
  it->second = c.value;
  return true;
}

}  // namespace eddy::raft::internal
