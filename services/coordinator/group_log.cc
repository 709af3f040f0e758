#include "services/coordinator/group_log.h"

#include <string>

#include "absl/container/flat_hash_map.h"

namespace eddy::coordinator {

void InMemoryGroupLog::Append(std::vector<GroupLogRecord> records, AppendCallback done) {
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    result = fail_with_;
    if (result.ok()) {
      ++appends_;
      for (auto& r : records) records_.push_back(std::move(r));
    }
  }
  post_([done = std::move(done), result] { done(result); });
}

absl::Status InMemoryGroupLog::Read(const std::function<void(const GroupLogRecord&)>& visit) {
  for (const GroupLogRecord& r : Records()) visit(r);
  return absl::OkStatus();
}

void InMemoryGroupLog::FailAppends(absl::Status status) {
  absl::MutexLock lock(&mu_);
  fail_with_ = std::move(status);
}

void InMemoryGroupLog::Compact() {
  absl::MutexLock lock(&mu_);
  absl::flat_hash_map<std::string, size_t> last;
  for (size_t i = 0; i < records_.size(); ++i) last[records_[i].key] = i;
  std::vector<GroupLogRecord> kept;
  for (size_t i = 0; i < records_.size(); ++i) {
    if (last[records_[i].key] == i && records_[i].value.has_value()) {
      kept.push_back(std::move(records_[i]));
    }
  }
  records_ = std::move(kept);
}

std::vector<GroupLogRecord> InMemoryGroupLog::Records() const {
  absl::MutexLock lock(&mu_);
  return records_;
}

int64_t InMemoryGroupLog::appends() const {
  absl::MutexLock lock(&mu_);
  return appends_;
}

}  // namespace eddy::coordinator
