// A helper for the values' AbslHashValue: combines fields, hashing a std::optional as whether it
// holds a value and then the value (Abseil 20220623 hashes absl::optional, not std::optional).
#ifndef AMI_HASH_UTIL_H_
#define AMI_HASH_UTIL_H_

#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ami::internal {

template <typename T>
struct IsStdOptional : std::false_type {};
template <typename T>
struct IsStdOptional<std::optional<T>> : std::true_type {};

template <typename H, typename T>
H HashField(H h, const T& value) {
  if constexpr (IsStdOptional<T>::value) {
    if (!value.has_value()) return H::combine(std::move(h), false);
    return HashField(H::combine(std::move(h), true), *value);
  } else {
    return H::combine(std::move(h), value);
  }
}

// Combines every field into `h`.
template <typename H, typename... Ts>
H HashFields(H h, const Ts&... fields) {
  ((h = HashField(std::move(h), fields)), ...);
  return h;
}

// Combines every element of a tuple of references (a Tie()) into `h`.
template <typename H, typename Tuple>
H HashTuple(H h, const Tuple& fields) {
  return std::apply([&h](const auto&... f) { return HashFields(std::move(h), f...); }, fields);
}

}  // namespace ami::internal

#endif  // AMI_HASH_UTIL_H_
