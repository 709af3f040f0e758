#include "services/registry/registry_store.h"

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/registry_errors.h"
#include "tests/testing/status_matchers.h"

namespace eddy::registry {
namespace {

using ::eddy::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RegistryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("registry_store_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    store_.reset();
    auto opened = RegistryStore::Open(dir_.string());
    ASSERT_THAT(opened.status(), IsOk());
    store_ = std::move(*opened);
  }

  static eddy::v1::StoredSchema Schema(std::string text) {
    eddy::v1::StoredSchema schema;
    schema.set_type(eddy::v1::SCHEMA_TYPE_AVRO);
    schema.set_schema(std::move(text));
    return schema;
  }

  absl::StatusOr<CommandResult> Register(std::string subject, std::string text, int32_t id = 0,
                                         int32_t version = 0) {
    eddy::v1::RegistryCommand command;
    auto* reg = command.mutable_register_schema();
    reg->set_subject(std::move(subject));
    *reg->mutable_schema() = Schema(std::move(text));
    reg->mutable_schema()->set_id(id);
    reg->set_version(version);
    return store_->Apply(command);
  }

  absl::StatusOr<CommandResult> DeleteVersion(std::string subject, int32_t version, bool permanent) {
    eddy::v1::RegistryCommand command;
    command.mutable_delete_version()->set_subject(std::move(subject));
    command.mutable_delete_version()->set_version(version);
    command.mutable_delete_version()->set_permanent(permanent);
    return store_->Apply(command);
  }

  absl::StatusOr<CommandResult> DeleteSubject(std::string subject, bool permanent) {
    eddy::v1::RegistryCommand command;
    command.mutable_delete_subject()->set_subject(std::move(subject));
    command.mutable_delete_subject()->set_permanent(permanent);
    return store_->Apply(command);
  }

  static int Code(const absl::Status& status) { return ErrorCodeOf(status); }

  std::filesystem::path dir_;
  std::unique_ptr<RegistryStore> store_;
};

TEST_F(RegistryStoreTest, IdsAreSharedAcrossSubjectsAndVersionsGrow) {
  auto a1 = Register("a", "\"string\"");
  ASSERT_THAT(a1.status(), IsOk());
  EXPECT_EQ(a1->id, 1);
  EXPECT_EQ(a1->version, 1);
  auto a2 = Register("a", "\"int\"");
  ASSERT_THAT(a2.status(), IsOk());
  EXPECT_EQ(a2->id, 2);
  EXPECT_EQ(a2->version, 2);
  auto b1 = Register("b", "\"string\"");
  ASSERT_THAT(b1.status(), IsOk());
  EXPECT_EQ(b1->id, 1);
  EXPECT_EQ(b1->version, 1);
  // Registering again changes nothing.
  auto again = Register("a", "\"string\"");
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->id, 1);
  EXPECT_EQ(again->version, 1);
  EXPECT_EQ(store_->MaxId(), 2);
  EXPECT_TRUE(store_->IsSchemaUsed(1));
  EXPECT_FALSE(store_->IsSchemaUsed(3));
  EXPECT_EQ(store_->SchemaCount(), 2);
  EXPECT_THAT(store_->Subjects(false), ElementsAre("a", "b"));
  EXPECT_EQ(store_->FindSchemaId(Schema("\"int\"")), 2);
  EXPECT_EQ(store_->FindSchemaId(Schema("\"long\"")), std::nullopt);
}

TEST_F(RegistryStoreTest, StateSurvivesReopen) {
  ASSERT_THAT(Register("a", "\"string\"").status(), IsOk());
  ASSERT_THAT(Register("a", "\"int\"").status(), IsOk());
  ASSERT_THAT(DeleteVersion("a", 1, false).status(), IsOk());
  eddy::v1::RegistryCommand config;
  config.mutable_set_config()->set_subject("a");
  config.mutable_set_config()->set_compatibility("FULL");
  ASSERT_THAT(store_->Apply(config).status(), IsOk());
  eddy::v1::RegistryCommand mode;
  mode.mutable_set_mode()->set_mode(eddy::v1::REGISTRY_MODE_READONLY);
  ASSERT_THAT(store_->Apply(mode).status(), IsOk());

  Reopen();
  auto versions = store_->Versions("a");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_TRUE(versions[0].deleted);
  EXPECT_EQ(versions[1].schema_id, 2);
  EXPECT_EQ(store_->Config("a"), "FULL");
  EXPECT_EQ(store_->Mode(""), eddy::v1::REGISTRY_MODE_READONLY);
  ASSERT_NE(store_->SchemaById(2), nullptr);
  EXPECT_EQ(store_->SchemaById(2)->schema(), "\"int\"");
  // The counter survives: a new schema gets a new id.
  auto next = Register("c", "\"long\"");
  ASSERT_THAT(next.status(), IsOk());
  EXPECT_EQ(next->id, 3);
}

TEST_F(RegistryStoreTest, IdsAreNeverReusedAfterPermanentDelete) {
  ASSERT_THAT(Register("a", "\"string\"").status(), IsOk());
  ASSERT_THAT(Register("a", "\"int\"").status(), IsOk());
  ASSERT_THAT(DeleteSubject("a", false).status(), IsOk());
  ASSERT_THAT(DeleteSubject("a", true).status(), IsOk());
  EXPECT_THAT(store_->Versions("a"), IsEmpty());
  EXPECT_FALSE(store_->IsSchemaUsed(1));
  Reopen();
  EXPECT_FALSE(store_->IsSchemaUsed(2));
  auto fresh = Register("b", "\"boolean\"");
  ASSERT_THAT(fresh.status(), IsOk());
  EXPECT_EQ(fresh->id, 3);
  // The same schema as before keeps its old id.
  auto old = Register("b", "\"int\"");
  ASSERT_THAT(old.status(), IsOk());
  EXPECT_EQ(old->id, 2);
}

TEST_F(RegistryStoreTest, DeleteRulesFollowConfluent) {
  EXPECT_EQ(Code(DeleteSubject("nope", false).status()), 40401);
  ASSERT_THAT(Register("a", "\"string\"").status(), IsOk());
  EXPECT_EQ(Code(DeleteVersion("a", 7, false).status()), 40402);
  EXPECT_EQ(Code(DeleteVersion("a", 1, true).status()), 40407);
  EXPECT_EQ(Code(DeleteSubject("a", true).status()), 40405);
  auto soft = DeleteSubject("a", false);
  ASSERT_THAT(soft.status(), IsOk());
  EXPECT_THAT(soft->versions, ElementsAre(1));
  EXPECT_EQ(Code(DeleteSubject("a", false).status()), 40404);
  EXPECT_EQ(Code(DeleteVersion("a", 1, false).status()), 40406);
  EXPECT_THAT(store_->Subjects(false), IsEmpty());
  EXPECT_THAT(store_->Subjects(true), ElementsAre("a"));
  // A soft-deleted schema is registered again as a new version with its old id.
  auto again = Register("a", "\"string\"");
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->id, 1);
  EXPECT_EQ(again->version, 2);
}

TEST_F(RegistryStoreTest, ReferencedVersionsCannotBeDeleted) {
  ASSERT_THAT(Register("base", "{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}").status(), IsOk());
  eddy::v1::RegistryCommand command;
  auto* reg = command.mutable_register_schema();
  reg->set_subject("user");
  *reg->mutable_schema() = Schema("\"F\"");
  auto* ref = reg->mutable_schema()->add_references();
  ref->set_name("F");
  ref->set_subject("base");
  ref->set_version(1);
  auto user = store_->Apply(command);
  ASSERT_THAT(user.status(), IsOk());
  EXPECT_THAT(store_->ReferencedBy("base", 1), ElementsAre(user->id));
  EXPECT_EQ(Code(DeleteVersion("base", 1, false).status()), 42206);
  EXPECT_EQ(Code(DeleteSubject("base", false).status()), 42206);
  ASSERT_THAT(DeleteSubject("user", false).status(), IsOk());
  EXPECT_THAT(store_->ReferencedBy("base", 1), IsEmpty());
  EXPECT_THAT(DeleteVersion("base", 1, false).status(), IsOk());
}

TEST_F(RegistryStoreTest, ImportKeepsIdsAndRefusesConflicts) {
  eddy::v1::RegistryCommand mode;
  mode.mutable_set_mode()->set_mode(eddy::v1::REGISTRY_MODE_IMPORT);
  ASSERT_THAT(store_->Apply(mode).status(), IsOk());
  auto imported = Register("a", "\"string\"", 42, 3);
  ASSERT_THAT(imported.status(), IsOk());
  EXPECT_EQ(imported->id, 42);
  EXPECT_EQ(imported->version, 3);
  EXPECT_EQ(Code(Register("b", "\"string\"", 43).status()), 42207);
  EXPECT_EQ(Code(Register("b", "\"int\"", 42).status()), 42207);
  EXPECT_EQ(Code(Register("a", "\"int\"", 44, 3).status()), 42205);
  // Ids issued afterwards continue above the imported ones.
  auto next = Register("c", "\"long\"");
  ASSERT_THAT(next.status(), IsOk());
  EXPECT_EQ(next->id, 43);
  // IMPORT cannot be entered while schemas exist, unless forced.
  mode.mutable_set_mode()->set_mode(eddy::v1::REGISTRY_MODE_READWRITE);
  ASSERT_THAT(store_->Apply(mode).status(), IsOk());
  mode.mutable_set_mode()->set_mode(eddy::v1::REGISTRY_MODE_IMPORT);
  EXPECT_EQ(Code(store_->Apply(mode).status()), 42205);
  mode.mutable_set_mode()->set_force(true);
  EXPECT_THAT(store_->Apply(mode).status(), IsOk());
}

TEST_F(RegistryStoreTest, EncodedCommandsApplyLikeDecodedOnes) {
  eddy::v1::RegistryCommand command;
  command.mutable_register_schema()->set_subject("a");
  *command.mutable_register_schema()->mutable_schema() = Schema("\"string\"");
  auto result = store_->ApplyEncoded(command.SerializeAsString(), 7);
  ASSERT_THAT(result.status(), IsOk());
  EXPECT_EQ(result->id, 1);
  EXPECT_EQ(store_->AppliedIndex(), 7);
  EXPECT_EQ(store_->ApplyEncoded("\xff\xff garbage", 8).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(store_->Apply(eddy::v1::RegistryCommand()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AppliedIndex(), 7);
}

TEST_F(RegistryStoreTest, AppliedIndexIsDurableWithTheEffect) {
  eddy::v1::RegistryCommand command;
  command.mutable_register_schema()->set_subject("a");
  *command.mutable_register_schema()->mutable_schema() = Schema("\"string\"");
  ASSERT_THAT(store_->ApplyEncoded(command.SerializeAsString(), 3).status(), IsOk());
  // A refused command (permanent delete of a live version) leaves the index where it was.
  eddy::v1::RegistryCommand refused;
  refused.mutable_delete_version()->set_subject("a");
  refused.mutable_delete_version()->set_version(1);
  refused.mutable_delete_version()->set_permanent(true);
  EXPECT_EQ(Code(store_->ApplyEncoded(refused.SerializeAsString(), 4).status()), 40407);
  Reopen();
  EXPECT_EQ(store_->AppliedIndex(), 3);
  EXPECT_EQ(store_->MaxId(), 1);
}

TEST_F(RegistryStoreTest, SnapshotRestoresEverythingElsewhere) {
  ASSERT_THAT(Register("a", "\"string\"").status(), IsOk());
  ASSERT_THAT(Register("b", "\"long\"").status(), IsOk());
  ASSERT_THAT(DeleteVersion("a", 1, false).status(), IsOk());
  eddy::v1::RegistryCommand set;
  set.mutable_set_config()->set_subject("b");
  set.mutable_set_config()->set_compatibility("NONE");
  ASSERT_THAT(store_->Apply(set).status(), IsOk());
  absl::StatusOr<std::string> snapshot = store_->Snapshot();
  ASSERT_THAT(snapshot.status(), IsOk());

  // A second store with other contents takes the snapshot over entirely, durably.
  const std::filesystem::path other_dir = dir_.string() + "_other";
  std::filesystem::remove_all(other_dir);
  {
    auto other = RegistryStore::Open(other_dir.string());
    ASSERT_THAT(other.status(), IsOk());
    eddy::v1::RegistryCommand reg;
    reg.mutable_register_schema()->set_subject("gone");
    *reg.mutable_register_schema()->mutable_schema() = Schema("\"int\"");
    ASSERT_THAT((*other)->Apply(reg).status(), IsOk());
    EXPECT_EQ((*other)->Restore("\xff\x01 not a snapshot", 9).code(),
              absl::StatusCode::kDataLoss);
    ASSERT_THAT((*other)->Restore(*snapshot, 12), IsOk());
  }
  auto reopened = RegistryStore::Open(other_dir.string());
  ASSERT_THAT(reopened.status(), IsOk());
  RegistryStore& restored = **reopened;
  EXPECT_EQ(restored.AppliedIndex(), 12);
  EXPECT_THAT(restored.Subjects(true), ElementsAre("a", "b"));
  EXPECT_THAT(restored.Subjects(false), ElementsAre("b"));
  EXPECT_EQ(restored.Config("b"), "NONE");
  EXPECT_EQ(restored.MaxId(), 2);
  ASSERT_NE(restored.SchemaById(2), nullptr);
  EXPECT_EQ(restored.SchemaById(2)->schema(), "\"long\"");
  reopened->reset();
  std::filesystem::remove_all(other_dir);
}

TEST_F(RegistryStoreTest, ConfigDeleteReturnsThePreviousLevel) {
  eddy::v1::RegistryCommand set;
  set.mutable_set_config()->set_compatibility("FORWARD");
  ASSERT_THAT(store_->Apply(set).status(), IsOk());
  eddy::v1::RegistryCommand del;
  del.mutable_delete_config();
  auto deleted = store_->Apply(del);
  ASSERT_THAT(deleted.status(), IsOk());
  EXPECT_EQ(deleted->previous, "FORWARD");
  EXPECT_EQ(store_->Config(""), std::nullopt);
}

}  // namespace
}  // namespace eddy::registry
