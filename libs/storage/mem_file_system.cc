#include "libs/storage/mem_file_system.h"

#include <algorithm>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace eddy::storage {
namespace {

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

struct MemFileSystem::Node {
  std::string data;
  std::string synced;
};

class MemFileSystem::MemFile final : public File {
 public:
  MemFile(MemFileSystem* fs, std::shared_ptr<Node> node, std::string path, uint64_t generation)
      : fs_(fs), node_(std::move(node)), path_(std::move(path)), generation_(generation) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    absl::MutexLock lock(&fs_->mu_);
    if (absl::Status s = CheckLocked(FsOp::kRead); !s.ok()) return s;
    if (offset >= node_->data.size()) return size_t{0};
    size_t n = std::min<uint64_t>(out.size(), node_->data.size() - offset);
    std::copy_n(node_->data.data() + offset, n, out.data());
    return n;
  }

  absl::Status Append(std::string_view data) override {
    absl::MutexLock lock(&fs_->mu_);
    if (absl::Status s = CheckLocked(FsOp::kAppend); !s.ok()) return s;
    node_->data.append(data);
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    absl::MutexLock lock(&fs_->mu_);
    if (absl::Status s = CheckLocked(FsOp::kTruncate); !s.ok()) return s;
    node_->data.resize(size, '\0');
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    absl::MutexLock lock(&fs_->mu_);
    if (absl::Status s = CheckLocked(FsOp::kSync); !s.ok()) return s;
    node_->synced = node_->data;
    return absl::OkStatus();
  }

  uint64_t Size() const override {
    absl::MutexLock lock(&fs_->mu_);
    return node_->data.size();
  }

  const std::string& Path() const override { return path_; }

 private:
  absl::Status CheckLocked(FsOp op) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs_->mu_) {
    if (generation_ != fs_->generation_) {
      return absl::AbortedError(absl::StrCat("file handle from before a simulated crash: ", path_));
    }
    if (fs_->hook_) return fs_->hook_(op, path_);
    return absl::OkStatus();
  }

  MemFileSystem* fs_;
  std::shared_ptr<Node> node_;
  std::string path_;
  uint64_t generation_;
};

MemFileSystem::MemFileSystem() { dirs_.insert("/"); }
MemFileSystem::~MemFileSystem() = default;

absl::Status MemFileSystem::Fault(FsOp op, const std::string& path) const {
  if (hook_) return hook_(op, path);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<File>> MemFileSystem::Open(const std::string& raw_path, OpenMode mode) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Fault(FsOp::kOpen, path); !s.ok()) return s;
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (mode == OpenMode::kReadOnly || mode == OpenMode::kReadWrite) {
      return absl::NotFoundError(absl::StrCat("open ", path, ": no such file"));
    }
    if (!dirs_.contains(Parent(path))) {
      return absl::NotFoundError(absl::StrCat("open ", path, ": no such directory"));
    }
    it = files_.emplace(path, std::make_shared<Node>()).first;
  } else if (mode == OpenMode::kCreateTruncate) {
    it->second->data.clear();
  }
  return std::unique_ptr<File>(new MemFile(this, it->second, path, generation_));
}

absl::Status MemFileSystem::CreateDirs(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Fault(FsOp::kCreateDirs, path); !s.ok()) return s;
  for (std::string p = path; !p.empty() && !dirs_.contains(p); p = Parent(p)) dirs_.insert(p);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemFileSystem::ListDir(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Fault(FsOp::kListDir, path); !s.ok()) return s;
  if (!dirs_.contains(path)) return absl::NotFoundError(absl::StrCat("opendir ", path));
  std::vector<std::string> names;
  for (const auto& [p, node] : files_) {
    if (Parent(p) == path) names.push_back(p.substr(path == "/" ? 1 : path.size() + 1));
  }
  for (const std::string& d : dirs_) {
    if (d != path && Parent(d) == path) names.push_back(d.substr(path == "/" ? 1 : path.size() + 1));
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool MemFileSystem::Exists(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  return files_.contains(path) || dirs_.contains(path);
}

absl::Status MemFileSystem::Remove(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Fault(FsOp::kRemove, path); !s.ok()) return s;
  if (files_.erase(path) == 0) return absl::NotFoundError(absl::StrCat("unlink ", path));
  return absl::OkStatus();
}

absl::Status MemFileSystem::RemoveDirRecursive(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Fault(FsOp::kRemove, path); !s.ok()) return s;
  std::string prefix = path + "/";
  // Removing a tree is treated as durable at once: tests use it only for cleanup.
  for (auto* m : {&files_, &durable_files_}) {
    for (auto it = m->begin(); it != m->end();) {
      it = absl::StartsWith(it->first, prefix) ? m->erase(it) : std::next(it);
    }
  }
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    it = (*it == path || absl::StartsWith(*it, prefix)) ? dirs_.erase(it) : std::next(it);
  }
  return absl::OkStatus();
}

absl::Status MemFileSystem::Rename(const std::string& raw_from, const std::string& raw_to) {
  std::string from = Normalize(raw_from), to = Normalize(raw_to);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Fault(FsOp::kRename, from); !s.ok()) return s;
  auto it = files_.find(from);
  if (it == files_.end()) return absl::NotFoundError(absl::StrCat("rename ", from));
  if (!dirs_.contains(Parent(to))) return absl::NotFoundError(absl::StrCat("rename to ", to));
  std::shared_ptr<Node> node = it->second;
  files_.erase(it);
  files_[to] = std::move(node);
  return absl::OkStatus();
}

absl::Status MemFileSystem::SyncDir(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Fault(FsOp::kSyncDir, path); !s.ok()) return s;
  if (!dirs_.contains(path)) return absl::NotFoundError(absl::StrCat("open dir ", path));
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    it = Parent(it->first) == path ? durable_files_.erase(it) : std::next(it);
  }
  for (const auto& [p, node] : files_) {
    if (Parent(p) == path) durable_files_[p] = node;
  }
  return absl::OkStatus();
}

void MemFileSystem::SetFaultHook(FaultHook hook) {
  absl::MutexLock lock(&mu_);
  hook_ = std::move(hook);
}

void MemFileSystem::SimulateCrash(uint64_t seed, bool keep_unsynced) {
  absl::MutexLock lock(&mu_);
  std::mt19937_64 rng(seed);
  ++generation_;
  files_ = durable_files_;
  std::set<Node*> seen;
  for (auto& [path, node] : files_) {
    if (!seen.insert(node.get()).second) continue;
    std::string& d = node->data;
    const std::string& s = node->synced;
    if (keep_unsynced && d.size() > s.size() && d.compare(0, s.size(), s) == 0) {
      // A torn write: some prefix of the unsynced tail reached the disk.
      d.resize(s.size() + std::uniform_int_distribution<size_t>(0, d.size() - s.size())(rng));
    } else {
      d = s;
    }
    node->synced = d;
  }
}

absl::Status MemFileSystem::CorruptByte(const std::string& raw_path, uint64_t offset) {
  std::string path = Normalize(raw_path);
  absl::MutexLock lock(&mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return absl::NotFoundError(path);
  Node& node = *it->second;
  if (offset >= node.data.size()) return absl::OutOfRangeError("offset past end of file");
  node.data[offset] = static_cast<char>(~node.data[offset]);
  if (offset < node.synced.size()) node.synced[offset] = static_cast<char>(~node.synced[offset]);
  return absl::OkStatus();
}

uint64_t MemFileSystem::UnsyncedBytes() const {
  absl::MutexLock lock(&mu_);
  uint64_t total = 0;
  for (const auto& [path, node] : files_) {
    if (node->data != node->synced) total += node->data.size();
  }
  return total;
}

}  // namespace eddy::storage
