#include "services/registry/internal/json_difference.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace eddy::registry::json::internal {

bool IsCompatibleJsonChange(const std::string& type) {
  static const std::set<std::string> kCompatible = {
      "ID_CHANGED",
      "DESCRIPTION_CHANGED",
      "TITLE_CHANGED",
      "DEFAULT_CHANGED",
      "SCHEMA_REMOVED",
      "TYPE_EXTENDED",
      "MAX_LENGTH_INCREASED",
      "MAX_LENGTH_REMOVED",
      "MIN_LENGTH_DECREASED",
      "MIN_LENGTH_REMOVED",
      "PATTERN_REMOVED",
      "MAXIMUM_INCREASED",
      "MAXIMUM_REMOVED",
      "MINIMUM_DECREASED",
      "MINIMUM_REMOVED",
      "EXCLUSIVE_MAXIMUM_INCREASED",
      "EXCLUSIVE_MAXIMUM_REMOVED",
      "EXCLUSIVE_MINIMUM_DECREASED",
      "EXCLUSIVE_MINIMUM_REMOVED",
      "MULTIPLE_OF_REDUCED",
      "MULTIPLE_OF_REMOVED",
      "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
      "REQUIRED_ATTRIBUTE_REMOVED",
      "DEPENDENCY_ARRAY_NARROWED",
      "DEPENDENCY_ARRAY_REMOVED",
      "DEPENDENCY_SCHEMA_REMOVED",
      "MAX_PROPERTIES_INCREASED",
      "MAX_PROPERTIES_REMOVED",
      "MIN_PROPERTIES_DECREASED",
      "MIN_PROPERTIES_REMOVED",
      "ADDITIONAL_PROPERTIES_ADDED",
      "ADDITIONAL_PROPERTIES_EXTENDED",
      "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
      "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
      "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
      "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
      "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
      "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
      "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
      "MAX_ITEMS_INCREASED",
      "MAX_ITEMS_REMOVED",
      "MIN_ITEMS_DECREASED",
      "MIN_ITEMS_REMOVED",
      "UNIQUE_ITEMS_REMOVED",
      "ADDITIONAL_ITEMS_ADDED",
      "ADDITIONAL_ITEMS_EXTENDED",
      "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
      "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
      "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
      "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
      "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
      "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
      "ENUM_ARRAY_EXTENDED",
      "COMBINED_TYPE_EXTENDED",
      "PRODUCT_TYPE_NARROWED",
      "SUM_TYPE_EXTENDED",
      "NOT_TYPE_NARROWED",
  };
  return kCompatible.contains(type);
}

std::string DescribeJsonDifference(const std::string& type, const std::string& path,
                                   const std::string& u, const std::string& o) {
  static const std::set<std::string> kKeywordAddedOrRemoved = {"MAXIMUM_ADDED",
                                                               "MINIMUM_ADDED",
                                                               "EXCLUSIVE_MAXIMUM_ADDED",
                                                               "EXCLUSIVE_MINIMUM_ADDED",
                                                               "MULTIPLE_OF_ADDED",
                                                               "MAX_LENGTH_ADDED",
                                                               "MIN_LENGTH_ADDED",
                                                               "PATTERN_ADDED",
                                                               "REQUIRED_ATTRIBUTE_ADDED",
                                                               "MAX_PROPERTIES_ADDED",
                                                               "MIN_PROPERTIES_ADDED",
                                                               "DEPENDENCY_ARRAY_ADDED",
                                                               "DEPENDENCY_SCHEMA_ADDED",
                                                               "MAX_ITEMS_ADDED",
                                                               "MIN_ITEMS_ADDED",
                                                               "UNIQUE_ITEMS_ADDED",
                                                               "ADDITIONAL_ITEMS_REMOVED",
                                                               "ADDITIONAL_PROPERTIES_REMOVED"};
  static const std::set<std::string> kValueIncreased = {
      "MIN_LENGTH_INCREASED",     "MINIMUM_INCREASED",    "EXCLUSIVE_MINIMUM_INCREASED",
      "MIN_PROPERTIES_INCREASED", "MULTIPLE_OF_EXPANDED", "MIN_ITEMS_INCREASED"};
  static const std::set<std::string> kValueDecreased = {
      "MAX_LENGTH_DECREASED", "MAXIMUM_DECREASED", "MAX_ITEMS_DECREASED",
      "EXCLUSIVE_MAXIMUM_DECREASED", "MAX_PROPERTIES_DECREASED"};
  static const std::set<std::string> kValueChanged = {"PATTERN_CHANGED", "MULTIPLE_OF_CHANGED",
                                                      "DEPENDENCY_ARRAY_CHANGED"};
  static const std::set<std::string> kNarrowed = {"ADDITIONAL_ITEMS_NARROWED",
                                                  "ENUM_ARRAY_NARROWED", "SUM_TYPE_NARROWED",
                                                  "ADDITIONAL_PROPERTIES_NARROWED"};
  static const std::set<std::string> kExtended = {"DEPENDENCY_ARRAY_EXTENDED",
                                                  "PRODUCT_TYPE_EXTENDED", "SUM_TYPE_EXTENDED",
                                                  "NOT_TYPE_EXTENDED"};
  static const std::set<std::string> kTypeChanged = {
      "TYPE_CHANGED", "TYPE_NARROWED", "COMBINED_TYPE_CHANGED", "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
      "ENUM_ARRAY_CHANGED"};
  const std::string p = "#/" + path;
  std::string text;
  if (kKeywordAddedOrRemoved.contains(type)) {
    text = absl::StrCat("The keyword at path '", p, "' in the ", u,
                        " schema is not present in the ", o, " schema");
  } else if (kValueIncreased.contains(type)) {
    text = absl::StrCat("The value at path '", p, "' in the ", u,
                        " schema is more than its value in the ", o, " schema");
  } else if (kValueDecreased.contains(type)) {
    text = absl::StrCat("The value at path '", p, "' in the ", u,
                        " schema is less than its value in the ", o, " schema");
  } else if (kValueChanged.contains(type)) {
    text = absl::StrCat("The value at path '", p, "' is different between the ", u, " and ", o,
                        " schema");
  } else if (kNarrowed.contains(type)) {
    text = absl::StrCat("An array or combined type at path '", p, "' has fewer elements in the ", u,
                        " schema than the ", o, " schema");
  } else if (kExtended.contains(type)) {
    text = absl::StrCat("An array or combined type at path '", p, "' has more elements in the ", u,
                        " schema than the ", o, " schema");
  } else if (kTypeChanged.contains(type)) {
    text = absl::StrCat("A type at path '", p, "' is different between the ", u, " schema and the ",
                        o, " schema");
  } else if (type == "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" ||
             type == "ITEM_ADDED_TO_OPEN_CONTENT_MODEL") {
    text = absl::StrCat("The ", u,
                        " schema has an open content model and has a property or item at path '", p,
                        "' which is missing in the ", o, " schema");
  } else if (type == "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL") {
    text = absl::StrCat("The ", u,
                        " schema has an unopen content model and has a required property at path '",
                        p, "' which is missing in the ", o, " schema");
  } else if (type == "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" ||
             type == "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL") {
    text = absl::StrCat(
        "The ", u,
        " schema has a closed content model and is missing a property or item present at path '", p,
        "' in the ", o, " schema");
  } else if (type.find("REMOVED_NOT_COVERED") != std::string::npos) {
    text = absl::StrCat("A property or item is missing in the ", u, " schema but present at path '",
                        p, "' in the ", o,
                        " schema and is not covered by its partially open content model");
  } else if (type.find("ADDED_NOT_COVERED") != std::string::npos) {
    text = absl::StrCat("The ", u, " schema has a property or item at path '", p,
                        "' which is missing in the ", o,
                        " schema and is not covered by its partially open content model");
  }
  return absl::StrCat("{errorType:\"", type, "\", description:\"", text, "\"}");
}

}  // namespace eddy::registry::json::internal
