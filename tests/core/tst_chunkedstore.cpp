// The chunked store as the collector uses it for events on their way to a consumer:
// appended a ring's worth at a time, handed over whole or in slices, and emptied for
// reuse without giving its memory back.
#include "chunkedstore.h"
#include "testutil.h"

#include <QTest>

#include <cstdint>
#include <numeric>
#include <vector>

namespace {

using Store = il::ChunkedStore<std::int64_t>;
constexpr std::size_t kChunk = Store::kChunk;

std::vector<std::int64_t> counting(std::size_t n, std::int64_t from = 0)
{
    std::vector<std::int64_t> v(n);
    std::iota(v.begin(), v.end(), from);
    return v;
}

bool same(const Store &store, const std::vector<std::int64_t> &expected)
{
    return store.size() == expected.size() &&
           std::equal(store.begin(), store.end(), expected.begin());
}

} // namespace

class TstChunkedStore : public QObject {
    Q_OBJECT

private slots:
    void appendCrossesEveryKindOfChunkEnd()
    {
        // Pieces that end inside the small first chunk, exactly at its end, across its
        // growth, and across several full chunks.
        Store store;
        std::vector<std::int64_t> expected;
        std::int64_t next = 0;
        for (const std::size_t n : {std::size_t(1), std::size_t(63), std::size_t(100), kChunk - 164,
                                    std::size_t(5), 3 * kChunk + 7, kChunk}) {
            const std::vector<std::int64_t> piece = counting(n, next);
            next += std::int64_t(n);
            store.append(piece.data(), piece.data() + piece.size());
            expected.insert(expected.end(), piece.begin(), piece.end());
            QVERIFY(same(store, expected));
        }
        QVERIFY(store.capacity() - store.size() < kChunk);
        store.append(expected.data(), expected.data()); // nothing
        QVERIFY(same(store, expected));
    }

    // A store that only grows holds at most half as much again as its records (beyond
    // the first small chunk), whether its last chunk is the first or a later one, and
    // every record survives the last chunk's moves.
    void growsByAtMostHalf()
    {
        Store store;
        std::size_t worstPermille = 0;
        for (std::size_t n = 1; n <= 5 * kChunk + 3; ++n) {
            store.push_back(std::int64_t(n));
            if (n > Store::kFirstCapacity)
                worstPermille = std::max(worstPermille, store.capacity() * 1000 / n);
        }
        QVERIFY2(worstPermille <= 1500, qPrintable(QString::number(worstPermille)));
        QVERIFY(worstPermille > 1000); // it did keep room at some point
        for (std::size_t i = 0; i < store.size(); ++i)
            QCOMPARE(store[i], std::int64_t(i + 1));
        // Dropping front chunks keeps the last one's size; the store still grows.
        store.drop_front_chunks(4);
        QCOMPARE(store.size(), kChunk + 3);
        QCOMPARE(store.capacity(), kChunk + kChunk / 2); // the last chunk: still half size
        QCOMPARE(store.front(), std::int64_t(4 * kChunk + 1));
        store.reserve(3 * kChunk);
        QCOMPARE(store.capacity(), 3 * kChunk);
        for (std::size_t n = 0; n < 2 * kChunk; ++n)
            store.push_back(-1);
        QCOMPARE(store[kChunk + 2], std::int64_t(5 * kChunk + 3));
    }

    void appendAnotherStore()
    {
        Store a;
        Store b;
        const std::vector<std::int64_t> first = counting(kChunk + 3);
        const std::vector<std::int64_t> second = counting(2 * kChunk + 1, 1'000'000);
        a.append(first.data(), first.data() + first.size());
        b.append(second.data(), second.data() + second.size());
        a.append(b);
        std::vector<std::int64_t> expected = first;
        expected.insert(expected.end(), second.begin(), second.end());
        QVERIFY(same(a, expected));
        QVERIFY(same(b, second)); // the source is left as it was
    }

    void assignASliceOfAnotherStore()
    {
        // How the GUI applies a long batch a slice at a time.
        Store whole;
        const std::vector<std::int64_t> all = counting(4 * kChunk + 11);
        whole.append(all.data(), all.data() + all.size());
        Store slice;
        for (const auto &[from, to] :
             {std::pair{std::size_t(0), std::size_t(0)}, std::pair{std::size_t(3), kChunk - 1},
              std::pair{kChunk - 2, 3 * kChunk + 5}, std::pair{std::size_t(0), all.size()},
              std::pair{4 * kChunk, all.size()}}) {
            slice.assign(whole.cbegin() + std::ptrdiff_t(from),
                         whole.cbegin() + std::ptrdiff_t(to));
            QVERIFY(same(slice, std::vector<std::int64_t>(all.begin() + std::ptrdiff_t(from),
                                                          all.begin() + std::ptrdiff_t(to))));
        }
        slice.assign(all.begin() + 7, all.begin() + 9); // any other range
        QVERIFY(same(slice, {7, 8}));
        slice = {4, 5, 6};
        QVERIFY(same(slice, {4, 5, 6}));
    }

    void keptRoomIsNotCopiedOrDropped()
    {
        Store store;
        store.reserve(5 * kChunk);
        const std::vector<std::int64_t> values = counting(2 * kChunk + 9);
        store.append(values.data(), values.data() + values.size());
        const Store copy = store; // the records, not the room
        QVERIFY(same(copy, values));
        QVERIFY(copy.capacity() - copy.size() < kChunk);
        // Only whole chunks of records go; the room after them is not taken for records.
        store.drop_front_chunks(10);
        QCOMPARE(store.size(), std::size_t(9));
        QCOMPARE(store.front(), values[2 * kChunk]);
        store.reset();
        store.drop_front_chunks(3);
        QVERIFY(store.empty());
        Store empty;
        empty.reserve(kChunk);
        const Store emptyCopy = empty;
        QVERIFY(emptyCopy.empty());
        QCOMPARE(emptyCopy.capacity(), std::size_t(0));
    }

    void assignFromAMutableStore()
    {
        Store whole;
        const std::vector<std::int64_t> all = counting(2 * kChunk + 5);
        whole.append(all.data(), all.data() + all.size());
        Store slice;
        slice.assign(whole.begin() + 1, whole.end() - 1);
        QVERIFY(same(slice, std::vector<std::int64_t>(all.begin() + 1, all.end() - 1)));
    }

    void spansCoverEveryRecordInOrder()
    {
        for (const std::size_t n : {std::size_t(0), std::size_t(5), kChunk, 2 * kChunk + 1}) {
            Store store;
            const std::vector<std::int64_t> values = counting(n);
            store.append(values.data(), values.data() + values.size());
            std::vector<std::int64_t> seen;
            store.for_each_span([&](std::int64_t *first, std::size_t count) {
                QVERIFY(count > 0);
                seen.insert(seen.end(), first, first + count);
                for (std::size_t i = 0; i < count; ++i)
                    first[i] *= 2; // writable in place
            });
            QCOMPARE(seen, values);
            for (std::size_t i = 0; i < n; ++i)
                QCOMPARE(store[i], 2 * values[i]);
        }
    }

    void resetKeepsTheMemoryClearGivesItBack()
    {
        Store store;
        store.reserve(3 * kChunk);
        const std::size_t reserved = store.capacity();
        QVERIFY(reserved >= 3 * kChunk);
        QVERIFY(reserved - 3 * kChunk < kChunk);
        const std::vector<std::int64_t> values = counting(3 * kChunk);
        store.append(values.data(), values.data() + values.size());
        QCOMPARE(store.capacity(), reserved); // filled what was reserved, no more
        store.reset();
        QVERIFY(store.empty());
        QCOMPARE(store.capacity(), reserved);
        store.append(values.data() + 5, values.data() + 9);
        QVERIFY(same(store, {5, 6, 7, 8}));
        QCOMPARE(store.capacity(), reserved);
        // Growing past the kept room, after a reset.
        const std::vector<std::int64_t> more = counting(4 * kChunk + 3);
        store.reset();
        store.append(more.data(), more.data() + more.size());
        QVERIFY(same(store, more));
        store.clear();
        QCOMPARE(store.capacity(), std::size_t(0));
        store.reserve(10); // a few: the small first chunk
        QVERIFY(store.capacity() >= 10 && store.capacity() < kChunk);
    }
};

QTEST_APPLESS_MAIN(TstChunkedStore)
#include "tst_chunkedstore.moc"
