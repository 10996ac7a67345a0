// SPDX-License-Identifier: Apache-2.0
// The counting global allocator of the alloc_tests binary (counting_allocator.hpp) and the test
// that it counts: without it, a zero in the other tests would prove nothing. libmodbus is C and
// uses malloc only when a context is created; it is not counted here.
#include "tests/alloc/counting_allocator.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <thread>
#include <vector>

namespace {

thread_local bool t_counting = false;
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t size, std::size_t align) {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  return align > alignof(std::max_align_t)
             ? std::aligned_alloc(align, (size + align - 1) / align * align)
             : std::malloc(size);
}

void* counted_or_throw(std::size_t size, std::size_t align) {
  void* p = counted_alloc(size, align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

namespace traction::alloc_test {

void count_this_thread(bool on) {
  t_counting = on;
}
long counted_allocations() {
  return g_allocations.load();
}
void reset_counted_allocations() {
  g_allocations = 0;
}

}  // namespace traction::alloc_test

// The replaceable allocation functions ([new.delete]); every form routes through the counter.
void* operator new(std::size_t n) {
  return counted_or_throw(n, 0);
}
void* operator new[](std::size_t n) {
  return counted_or_throw(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n, 0);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace traction::alloc_test {
namespace {

TEST(CountingAllocator, counts_an_allocation_of_this_thread) {
  CycleWatch watch;
  auto* p = new std::vector<int>(100);
  spdlog::debug("one record");
  watch.stop();
  delete p;
  EXPECT_GE(watch.allocations(), 2);
  EXPECT_EQ(watch.log_records(), 1);
}

TEST(CountingAllocator, does_not_count_another_thread) {
  // The std::thread's own state is allocated by this thread; what the thread allocates is not.
  std::unique_ptr<int> kept;
  CycleWatch alone;
  std::thread([] {}).join();
  alone.stop();
  CycleWatch watch;
  std::thread([&] { kept = std::make_unique<int>(1); }).join();
  watch.stop();
  EXPECT_EQ(watch.allocations(), alone.allocations());
}

}  // namespace
}  // namespace traction::alloc_test
