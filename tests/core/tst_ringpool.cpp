// The pool of spare event rings: a run takes its rings from it and gives them back, so
// the next run does not touch fresh memory. What a user relies on: a given ring comes
// back empty, the pool stays within its count and bytes, and a pool full of one size
// makes room for the size runs give back now (or every run would map its rings afresh).
#include "ringpool.h"
#include "testutil.h"

#include <QTest>

#include <set>
#include <vector>

namespace {

using il::EventRing;
using il::RingPool;

constexpr std::size_t kSmall = 1024;
constexpr std::size_t kOther = 2048;

std::size_t drained(EventRing &ring)
{
    std::vector<il::Event> out;
    return ring.drain(out);
}

} // namespace

class TstRingPool : public QObject {
    Q_OBJECT

private slots:
    void aGivenRingComesBackEmpty()
    {
        RingPool pool;
        auto ring = pool.take(kSmall);
        QCOMPARE(ring->capacity(), kSmall);
        QVERIFY(ring->push(il::Event{}));
        ring->count_drop();
        const EventRing *given = ring.get();
        pool.give(std::move(ring));
        QCOMPARE(pool.spare_count(), std::size_t(1));
        QCOMPARE(pool.spare_bytes(), kSmall * sizeof(il::Event));

        auto again = pool.take(kSmall - 1); // rounds up to the same capacity
        QCOMPARE(again.get(), given);
        QCOMPARE(drained(*again), std::size_t(0));
        QCOMPARE(again->dropped(), std::uint64_t(0));
        QCOMPARE(pool.spare_count(), std::size_t(0));
        QCOMPARE(pool.spare_bytes(), std::size_t(0));
    }

    void anotherSizeIsMadeAfreshAndTheSpareStays()
    {
        RingPool pool;
        pool.give(pool.take(kSmall));
        auto other = pool.take(kOther);
        QCOMPARE(other->capacity(), kOther);
        QCOMPARE(pool.spare_count(), std::size_t(1)); // the small one is still there
        QCOMPARE(pool.take(kSmall)->capacity(), kSmall);
        QCOMPARE(pool.spare_count(), std::size_t(0));
    }

    void nothingIsGivenBackTwiceOrLost()
    {
        RingPool pool;
        pool.give(nullptr); // tolerated
        QCOMPARE(pool.spare_count(), std::size_t(0));
        std::vector<std::unique_ptr<EventRing>> taken;
        for (int i = 0; i < 5; ++i)
            taken.push_back(pool.take(kSmall));
        std::set<const EventRing *> given;
        for (auto &ring : taken) {
            given.insert(ring.get());
            pool.give(std::move(ring));
        }
        std::set<const EventRing *> back;
        for (int i = 0; i < 5; ++i)
            back.insert(pool.take(kSmall).release()); // kept alive: addresses stay unique
        QCOMPARE(back, given);
        for (const EventRing *ring : back)
            delete ring;
    }

    void aFullPoolOfOneSizeRefusesMoreOfIt()
    {
        RingPool pool;
        for (std::size_t i = 0; i < RingPool::kMaxSpare; ++i)
            pool.give(std::make_unique<EventRing>(kSmall));
        QCOMPARE(pool.spare_count(), RingPool::kMaxSpare);
        pool.give(std::make_unique<EventRing>(kSmall)); // unmapped, not kept
        QCOMPARE(pool.spare_count(), RingPool::kMaxSpare);
        QCOMPARE(pool.spare_bytes(), RingPool::kMaxSpare * kSmall * sizeof(il::Event));
    }

    void aFullPoolEvictsOtherSizesOldestFirst()
    {
        RingPool pool;
        std::vector<const EventRing *> order;
        for (std::size_t i = 0; i < RingPool::kMaxSpare; ++i) {
            auto ring = std::make_unique<EventRing>(kSmall);
            order.push_back(ring.get());
            pool.give(std::move(ring));
        }
        auto other = std::make_unique<EventRing>(kOther);
        const EventRing *otherRing = other.get();
        pool.give(std::move(other));
        QCOMPARE(pool.spare_count(), RingPool::kMaxSpare);
        QCOMPARE(pool.spare_bytes(),
                 ((RingPool::kMaxSpare - 1) * kSmall + kOther) * sizeof(il::Event));

        auto back = pool.take(kOther);
        QCOMPARE(back.get(), otherRing);
        // The oldest small ring made room; the other 63 are still spare.
        const std::set<const EventRing *> kept(order.begin() + 1, order.end());
        std::set<const EventRing *> taken;
        std::vector<std::unique_ptr<EventRing>> hold; // alive, so no address is reused
        for (std::size_t i = 0; i + 1 < RingPool::kMaxSpare; ++i) {
            hold.push_back(pool.take(kSmall));
            taken.insert(hold.back().get());
        }
        QCOMPARE(taken, kept);
        QCOMPARE(pool.spare_count(), std::size_t(0));
    }

    void theByteLimitEvictsOtherSizesUntilTheRingFits()
    {
        // Rings of 1 Mi events (24 MiB): six fit in the limit, a seventh does not.
        constexpr std::size_t kLarge = std::size_t(1) << 20;
        const std::size_t largeBytes = kLarge * sizeof(il::Event);
        const std::size_t fit = RingPool::kMaxSpareBytes / largeBytes;
        QVERIFY(fit >= 2 && fit < RingPool::kMaxSpare);
        RingPool pool;
        for (std::size_t i = 0; i <= fit; ++i)
            pool.give(std::make_unique<EventRing>(kLarge));
        QCOMPARE(pool.spare_count(), fit); // the last one was refused
        QVERIFY(pool.spare_bytes() <= RingPool::kMaxSpareBytes);

        // A ring twice as large: as many large ones go as make room for it.
        const std::size_t hugeBytes = 2 * largeBytes;
        pool.give(std::make_unique<EventRing>(2 * kLarge));
        std::size_t keptLarge = fit;
        while (keptLarge * largeBytes + hugeBytes > RingPool::kMaxSpareBytes)
            --keptLarge;
        QCOMPARE(pool.spare_count(), keptLarge + 1);
        QCOMPARE(pool.spare_bytes(), keptLarge * largeBytes + hugeBytes);
        QCOMPARE(pool.take(2 * kLarge)->capacity(), 2 * kLarge);
    }

    void prewarmStopsAtTheLimits()
    {
        RingPool pool;
        pool.prewarm(3, kSmall);
        QCOMPARE(pool.spare_count(), std::size_t(3));
        pool.prewarm(3, kSmall); // already there: nothing more
        QCOMPARE(pool.spare_count(), std::size_t(3));
        pool.prewarm(RingPool::kMaxSpare + 10, kSmall);
        QCOMPARE(pool.spare_count(), RingPool::kMaxSpare);
    }
};

QTEST_APPLESS_MAIN(TstRingPool)
#include "tst_ringpool.moc"
