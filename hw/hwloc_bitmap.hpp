#pragma once
// An owned hwloc bitmap (cpuset or nodeset) with the few operations the
// probes need.
#include <hwloc.h>

#include <new>
#include <utility>

namespace dtf::hw {

class bitmap {
public:
  bitmap() : set_(hwloc_bitmap_alloc()) { check(); }
  explicit bitmap(hwloc_const_bitmap_t from) : set_(hwloc_bitmap_dup(from)) { check(); }
  bitmap(bitmap&& other) noexcept : set_(other.set_) { other.set_ = nullptr; }
  bitmap& operator=(bitmap&& other) noexcept {
    std::swap(set_, other.set_);
    return *this;
  }
  bitmap(const bitmap& other) : bitmap(other.get()) {}
  bitmap& operator=(const bitmap& other) {
    if (this != &other) hwloc_bitmap_copy(set_, other.set_);
    return *this;
  }
  ~bitmap() { hwloc_bitmap_free(set_); }

  hwloc_bitmap_t get() const { return set_; }
  bool empty() const { return hwloc_bitmap_iszero(set_); }
  void and_with(hwloc_const_bitmap_t other) { hwloc_bitmap_and(set_, set_, other); }
  void and_not(hwloc_const_bitmap_t other) { hwloc_bitmap_andnot(set_, set_, other); }
  void or_with(hwloc_const_bitmap_t other) { hwloc_bitmap_or(set_, set_, other); }

private:
  void check() const {
    if (!set_) throw std::bad_alloc();
  }
  hwloc_bitmap_t set_;
};

} // namespace dtf::hw
