// BodyRef: how a value type holds the fields it shares with its copies. Internal to libami's
// value types; not for direct use.
#ifndef AMI_BODY_REF_H_
#define AMI_BODY_REF_H_

#include <memory>
#include <utility>

namespace ami::internal {

// A shared, never-changed body. A move copies the pointer, so that a moved-from value stays
// readable.
template <typename Body>
class BodyRef {
 public:
  BodyRef(std::shared_ptr<const Body> body) : ptr_(std::move(body)) {}  // NOLINT: implicit.
  BodyRef(const BodyRef&) = default;
  BodyRef(BodyRef&& other) noexcept : ptr_(other.ptr_) {}
  BodyRef& operator=(const BodyRef&) = default;
  BodyRef& operator=(BodyRef&& other) noexcept {
    ptr_ = other.ptr_;
    return *this;
  }
  const Body* operator->() const { return ptr_.get(); }
  const Body& operator*() const { return *ptr_; }
  const Body* get() const { return ptr_.get(); }
  const std::shared_ptr<const Body>& shared() const { return ptr_; }
  long use_count() const { return ptr_.use_count(); }

  // The body for a builder to change: first copied, unless this reference alone holds it.
  Body& Mutable() {
    // A body held here alone was made by this function (or by make_shared), not const.
    if (ptr_.use_count() != 1) ptr_ = std::make_shared<Body>(*ptr_);
    return const_cast<Body&>(*ptr_);
  }
  // The body of a new value: shared, never changed (Mutable() copies it).
  static const std::shared_ptr<const Body>& Default() {
    static const auto* const body = new std::shared_ptr<const Body>(std::make_shared<Body>());
    return *body;
  }

 private:
  std::shared_ptr<const Body> ptr_;
};

}  // namespace ami::internal

#endif  // AMI_BODY_REF_H_
