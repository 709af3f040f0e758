// Status propagation macros. Debian 12's Abseil (20220623) ships no status_macros.h, so Eddy keeps
// its own two here. Both evaluate their expression exactly once and return the error unchanged
// (code, message and payloads), so callers up the stack see the original failure.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// EDDY_RETURN_IF_ERROR evaluates `expr` (an absl::Status) and returns it from the enclosing function
// when it is not OK. The enclosing function returns absl::Status or absl::StatusOr<T>.
#define EDDY_RETURN_IF_ERROR(expr)                                   \
  do {                                                               \
    if (::absl::Status eddy_macro_status = (expr);                   \
        !eddy_macro_status.ok()) {                                   \
      return eddy_macro_status;                                      \
    }                                                                \
  } while (false)

// EDDY_ASSIGN_OR_RETURN(lhs, expr) evaluates `expr` (an absl::StatusOr<T>); on error it returns the
// status from the enclosing function, otherwise it moves the value into `lhs`, which may be an
// existing variable or a declaration (`auto x`, `std::string y`). It expands to several statements,
// so it cannot be the body of an unbraced `if`. A type with a top-level comma in `lhs` needs an
// alias; `expr` may contain commas.
#define EDDY_ASSIGN_OR_RETURN(lhs, ...)                                                        \
  EDDY_STATUS_MACROS_ASSIGN_OR_RETURN_IMPL_(                                                   \
      EDDY_STATUS_MACROS_CONCAT_(eddy_macro_statusor_, __COUNTER__), lhs, (__VA_ARGS__))

#define EDDY_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define EDDY_STATUS_MACROS_CONCAT_(a, b) EDDY_STATUS_MACROS_CONCAT_INNER_(a, b)
#define EDDY_STATUS_MACROS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = expr;                                                \
  if (!statusor.ok()) {                                                \
    return std::move(statusor).status();                               \
  }                                                                    \
  lhs = std::move(statusor).value()
