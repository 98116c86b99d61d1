// The block pool behind the timeline's chunks and the collector's buffers: a block given
// back is taken again at its size, what the pool does not keep goes back to the kernel
// (on a thread of the pool's own, which ends when it has nothing left to do), and any
// thread may take and give at once.
#include "blockpool.h"
#include "resourcecheck.h"
#include "testutil.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

namespace {

constexpr std::int64_t kMiB = std::int64_t(1) << 20;

// A block size of the test's own, so that no other user of the pool shares its list.
std::size_t own_size(std::size_t pages)
{
    return pages * il::block_granularity();
}

} // namespace

class TstBlockPool : public QObject {
    Q_OBJECT

private slots:
    void keptBlockIsTakenAgainAtItsSize()
    {
        const std::size_t bytes = own_size(17);
        void *block = il::take_block(bytes);
        QVERIFY(block);
        std::memset(block, 0x5a, bytes); // mapped, writable, whole
        il::give_block(block, bytes);
        QCOMPARE(il::take_block(bytes), block);
        il::give_block(block, bytes);
    }

    void blocksBeyondTheKeepGoBackToTheKernel()
    {
        if (iltest::kSanitizer)
            QSKIP("resident memory says nothing under a sanitizer (resourcecheck.h)");
        // 192 MiB taken and given back: the pool keeps 64 MiB at most, the rest is
        // unmapped, and the thread that unmaps it ends afterwards.
        const std::size_t bytes = own_size(257); // a little over 1 MiB
        const int count = int(192 * kMiB / std::int64_t(bytes));
        const std::set<long> threadsBefore = iltest::thread_ids();
        std::vector<void *> blocks;
        for (int i = 0; i < count; ++i)
            blocks.push_back(il::take_block(bytes));
        const std::int64_t held = iltest::resident_bytes();
        for (void *block : blocks)
            il::give_block(block, bytes);
        const bool returned =
            iltest::await([&] { return iltest::resident_bytes() <= held - 100 * kMiB; });
        QVERIFY2(returned,
                 qPrintable(QStringLiteral("resident %1 MiB after giving back 192 MiB, %2 before")
                                .arg(iltest::resident_bytes() / kMiB)
                                .arg(held / kMiB)));
        const auto onlyOld = [&] {
            const std::set<long> now = iltest::thread_ids();
            return std::includes(threadsBefore.begin(), threadsBefore.end(), now.begin(),
                                 now.end());
        };
        QVERIFY2(
            iltest::await(onlyOld),
            ("threads left:" + iltest::describe_new_threads(threadsBefore, iltest::thread_ids()))
                .c_str());
    }

    void threadsTakeAndGiveAtOnce()
    {
        // Two threads taking and giving blocks of one size past the keep while a third
        // gives back another size: every block taken is whole and its own.
        const std::size_t bytes = own_size(256);
        std::atomic<int> spoilt{0}; // blocks found overwritten by another thread
        const auto churn = [&](std::uint8_t mark) {
            for (int round = 0; round < 20; ++round) {
                std::vector<void *> mine;
                for (int i = 0; i < 40; ++i) {
                    auto *block = static_cast<std::uint8_t *>(il::take_block(bytes));
                    std::memset(block, mark, bytes);
                    mine.push_back(block);
                }
                for (void *block : mine) {
                    const auto *b = static_cast<const std::uint8_t *>(block);
                    if (std::any_of(b, b + bytes, [&](std::uint8_t x) { return x != mark; }))
                        spoilt.fetch_add(1);
                    il::give_block(block, bytes);
                }
            }
        };
        iltest::Threads threads;
        threads.start([&] { churn(1); });
        threads.start([&] { churn(2); });
        threads.start([&] {
            const std::size_t other = own_size(300);
            for (int i = 0; i < 200; ++i)
                il::give_block(il::take_block(other), other);
        });
        QVERIFY(threads.join_within(iltest::kHangBound));
        QCOMPARE(spoilt.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TstBlockPool)
#include "tst_blockpool.moc"
