// RegistryWriter: where the registry's writes go. A single replica applies each RegistryCommand to
// its own store (LocalWriter); a replicated registry proposes it through Raft and applies it on
// every replica (RegistryQuorum, registry_quorum.h). The RegistryService serializes its calls, so
// an implementation sees one write at a time.
#pragma once

#include "absl/status/statusor.h"
#include "proto/eddy/v1/registry_store.pb.h"
#include "services/registry/registry_store.h"

namespace eddy::registry {

class RegistryWriter {
 public:
  virtual ~RegistryWriter() = default;
  // Sync returns once the local store reflects every write committed before the call, so a check
  // made next (compatibility against the latest versions) sees them; an error when this replica
  // cannot tell (not the leader, no quorum).
  virtual absl::Status Sync() = 0;
  // Write makes `command` durable wherever it must be and returns what it did once the local store
  // holds its effect. A command the state refuses returns that RegistryError.
  virtual absl::StatusOr<CommandResult> Write(const eddy::v1::RegistryCommand& command) = 0;
};

// LocalWriter is a single replica's writer: the store itself.
class LocalWriter final : public RegistryWriter {
 public:
  explicit LocalWriter(RegistryStore& store) : store_(store) {}
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::StatusOr<CommandResult> Write(const eddy::v1::RegistryCommand& command) override {
    return store_.Apply(command);
  }

 private:
  RegistryStore& store_;
};

}  // namespace eddy::registry
