// BatchPipe: batches go from a producing to a consuming thread in order, through a fixed pool; either side
// can stop the other without leaving a thread waiting.
#include "fundtrail/ingest/batch_pipe.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fundtrail::ingest {
namespace {

struct Numbers {
  std::vector<int> values;
};

TEST(BatchPipe, DeliversEveryBatchInOrderThroughAFixedPool) {
  BatchPipe<Numbers> pipe(2);
  std::vector<const Numbers*> seen_objects;
  std::jthread producer([&] {
    for (int b = 0; b < 100; ++b) {
      auto batch = pipe.acquire();
      ASSERT_NE(batch, nullptr);
      batch->values.assign({b * 3, b * 3 + 1, b * 3 + 2});
      pipe.publish(std::move(batch));
    }
    pipe.close();
  });
  std::vector<int> received;
  while (auto batch = pipe.next()) {
    received.insert(received.end(), batch->values.begin(), batch->values.end());
    if (std::find(seen_objects.begin(), seen_objects.end(), batch.get()) == seen_objects.end()) {
      seen_objects.push_back(batch.get());
    }
    pipe.recycle(std::move(batch));
  }
  ASSERT_EQ(received.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(received[static_cast<std::size_t>(i)], i);
  EXPECT_LE(seen_objects.size(), 2u) << "batches are reused, never more than the pool";
}

TEST(BatchPipe, TheProducersErrorArrivesAfterTheBatchesPublishedBeforeIt) {
  BatchPipe<Numbers> pipe(3);
  std::jthread producer([&] {
    auto batch = pipe.acquire();
    batch->values = {7};
    pipe.publish(std::move(batch));
    try {
      throw std::runtime_error("read error at byte 42");
    } catch (...) {
      pipe.close(std::current_exception());
    }
  });
  auto first = pipe.next();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->values, std::vector<int>{7});
  EXPECT_THROW(
      {
        try {
          (void)pipe.next();
        } catch (const std::runtime_error& error) {
          EXPECT_STREQ(error.what(), "read error at byte 42");
          throw;
        }
      },
      std::runtime_error);
}

TEST(BatchPipe, CancelReleasesAProducerWaitingForABatch) {
  BatchPipe<Numbers> pipe(1);
  int acquired = 0;
  bool released = false;
  std::jthread producer([&] {
    while (auto batch = pipe.acquire()) {  // the second acquire waits: the consumer never recycles
      ++acquired;
      pipe.publish(std::move(batch));
    }
    released = true;
  });
  auto held = pipe.next();  // taken and kept, as a failing consumer would
  ASSERT_NE(held, nullptr);
  pipe.cancel();
  producer.join();
  EXPECT_EQ(acquired, 1);
  EXPECT_TRUE(released);
}

}  // namespace
}  // namespace fundtrail::ingest
