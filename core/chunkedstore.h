#pragma once
#include <algorithm>
#include <cassert>
#include <compare>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "blockpool.h"
#include "populatingallocator.h"

namespace il {

// A sequence of trivially copyable records in fixed-size chunks, appended to at the end:
// the timeline's per-lane records, and events on their way from the collector. Unlike a
// std::vector it never copies more than its last chunk to grow, so growing costs the
// same at any size, and a store that only grows has at most one chunk of spare room (a
// vector's can be its size again, and it briefly needs old + new while it grows). It gives memory
// back from the front a whole chunk at a time when old detail is dropped. reserve() and
// reset() keep more room, as a vector's do.
//
// Chunks hold a power of two of records (about 128 KiB), so an index splits into
// chunk and slot with a shift and a mask, and records [i, j) share one chunk when i
// and j - 1 agree above the shift. Every chunk but the last is full size.
//
// Tight (the default, for the timeline): the last chunk grows in place until it is full
// size, the first from kFirstCapacity by steps of at most 1.5x (64, 96, 128, 192, ...),
// every later one from half a chunk to a whole one. So a store that only grows never
// holds more than half as much again as its records (short timeline lanes feel it; a
// doubling first chunk and whole new chunks let a lane hold twice its records); a record
// is copied about once more on average (2.5 times in the first chunk, 0.5 later).
// Not tight (events in transit, which are soon given back): the first chunk doubles, and
// later chunks are whole blocks from the pool, never copied.
template <typename T, bool kTight = true> class ChunkedStore {
    static_assert(std::is_trivially_copyable_v<T>, "records are moved with memcpy");

    static constexpr std::size_t shift_for(std::size_t bytes)
    {
        std::size_t s = 0;
        while ((std::size_t(2) << s) * bytes <= kTargetChunkBytes)
            ++s;
        return s;
    }

public:
    static constexpr std::size_t kTargetChunkBytes = std::size_t(128) << 10;
    static constexpr std::size_t kShift = shift_for(sizeof(T));
    static constexpr std::size_t kChunk = std::size_t(1) << kShift;
    static constexpr std::size_t kMask = kChunk - 1;
    static constexpr std::size_t kFirstCapacity = std::min<std::size_t>(64, kChunk);

    template <bool Const> class Iterator {
        using Store = std::conditional_t<Const, const ChunkedStore, ChunkedStore>;

    public:
        using iterator_concept = std::random_access_iterator_tag;
        using iterator_category = std::random_access_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using reference = std::conditional_t<Const, const T &, T &>;
        using pointer = std::conditional_t<Const, const T *, T *>;

        Iterator() = default;
        Iterator(Store *store, std::size_t index)
            : m_store(store)
            , m_index(index)
        {
        }
        operator Iterator<true>() const { return Iterator<true>(m_store, m_index); }
        Store *store() const { return m_store; }
        std::size_t index() const { return m_index; }

        reference operator*() const { return (*m_store)[m_index]; }
        pointer operator->() const { return &(*m_store)[m_index]; }
        reference operator[](difference_type n) const { return (*m_store)[m_index + n]; }
        Iterator &operator++() { return ++m_index, *this; }
        Iterator &operator--() { return --m_index, *this; }
        Iterator operator++(int) { return {m_store, m_index++}; }
        Iterator operator--(int) { return {m_store, m_index--}; }
        Iterator &operator+=(difference_type n) { return m_index += n, *this; }
        Iterator &operator-=(difference_type n) { return m_index -= n, *this; }
        friend Iterator operator+(Iterator it, difference_type n) { return it += n; }
        friend Iterator operator+(difference_type n, Iterator it) { return it += n; }
        friend Iterator operator-(Iterator it, difference_type n) { return it -= n; }
        friend difference_type operator-(const Iterator &a, const Iterator &b)
        {
            return difference_type(a.m_index) - difference_type(b.m_index);
        }
        friend bool operator==(const Iterator &a, const Iterator &b)
        {
            return a.m_index == b.m_index;
        }
        friend auto operator<=>(const Iterator &a, const Iterator &b)
        {
            return a.m_index <=> b.m_index;
        }

    private:
        Store *m_store = nullptr;
        std::size_t m_index = 0;
    };

    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using reference = T &;
    using const_reference = const T &;
    using iterator = Iterator<false>;
    using const_iterator = Iterator<true>;
    using reverse_iterator = std::reverse_iterator<iterator>;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;

    ChunkedStore() = default;
    ~ChunkedStore() { clear(); }
    // Delegating, so that the destructor frees what was allocated if a later chunk throws.
    ChunkedStore(const ChunkedStore &other)
        : ChunkedStore()
    {
        *this = other;
    }
    ChunkedStore(ChunkedStore &&other) noexcept { swap(other); }
    ChunkedStore(std::initializer_list<T> values)
        : ChunkedStore()
    {
        *this = values;
    }
    ChunkedStore &operator=(std::initializer_list<T> values)
    {
        assign(values.begin(), values.end());
        return *this;
    }
    ChunkedStore &operator=(ChunkedStore &&other) noexcept
    {
        ChunkedStore(std::move(other)).swap(*this);
        return *this;
    }
    ChunkedStore &operator=(const ChunkedStore &other)
    {
        if (this == &other)
            return *this;
        clear();
        // The chunks in use only, not the room the other keeps.
        const std::size_t used = other.m_size == 0 ? 0 : ((other.m_size - 1) >> kShift) + 1;
        // Room first, so that a chunk once allocated is always kept (and later released),
        // and no null chunk is ever kept when an allocation throws.
        m_chunks.reserve(used);
        for (std::size_t i = 0; i < used; ++i) {
            const std::size_t first = i << kShift;
            const std::size_t room = other.chunk_capacity(i);
            m_chunks.push_back(allocate(room));
            m_lastCapacity = room;
            std::memcpy(static_cast<void *>(m_chunks.back()), other.m_chunks[i],
                        std::min(kChunk, other.m_size - first) * sizeof(T));
        }
        m_size = other.m_size;
        return *this;
    }
    void swap(ChunkedStore &other) noexcept
    {
        m_chunks.swap(other.m_chunks);
        std::swap(m_size, other.m_size);
        std::swap(m_lastCapacity, other.m_lastCapacity);
    }

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    T &operator[](std::size_t i) { return m_chunks[i >> kShift][i & kMask]; }
    const T &operator[](std::size_t i) const { return m_chunks[i >> kShift][i & kMask]; }
    const T &at(std::size_t i) const
    {
        if (i >= m_size)
            throw std::out_of_range("ChunkedStore::at");
        return (*this)[i];
    }
    T &front() { return (*this)[0]; }
    const T &front() const { return (*this)[0]; }
    T &back() { return (*this)[m_size - 1]; }
    const T &back() const { return (*this)[m_size - 1]; }

    iterator begin() { return {this, 0}; }
    iterator end() { return {this, m_size}; }
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, m_size}; }
    const_iterator cbegin() const { return begin(); }
    const_iterator cend() const { return end(); }
    reverse_iterator rbegin() { return reverse_iterator(end()); }
    reverse_iterator rend() { return reverse_iterator(begin()); }
    const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
    const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

    void push_back(const T &value)
    {
        if (m_size == capacity())
            reserve_for_push();
        (*this)[m_size++] = value;
    }

    // Appends [first, last), a chunk's worth of records per copy.
    void append(const T *first, const T *last)
    {
        while (first != last) {
            if (m_size == capacity())
                reserve_for_push();
            const std::size_t room = std::min(capacity() - m_size, kChunk - (m_size & kMask));
            const std::size_t n = std::min(room, std::size_t(last - first));
            std::memcpy(static_cast<void *>(&(*this)[m_size]), first, n * sizeof(T));
            m_size += n;
            first += n;
        }
    }
    // From another store (not this one).
    void append(const ChunkedStore &other)
    {
        assert(&other != this);
        for (std::size_t at = 0; at < other.m_size; at += kChunk) {
            const T *chunk = other.m_chunks[at >> kShift];
            append(chunk, chunk + std::min(kChunk, other.m_size - at));
        }
    }
    // Calls f(first, count) for each run of records stored together, in order: a loop
    // over all records without finding the chunk for each.
    template <typename F> void for_each_span(F f)
    {
        for (std::size_t at = 0; at < m_size; at += kChunk)
            f(m_chunks[at >> kShift], std::min(kChunk, m_size - at));
    }
    template <typename F> void for_each_span(F f) const
    {
        for (std::size_t at = 0; at < m_size; at += kChunk)
            f(static_cast<const T *>(m_chunks[at >> kShift]), std::min(kChunk, m_size - at));
    }

    // A range of these records (or any others) in place of the current ones; memory
    // already held is kept.
    template <typename It> void assign(It first, It last)
    {
        reset(); // so never a range of this store itself, as with std::vector
        for (; first != last; ++first)
            push_back(*first);
    }
    template <bool Const> void assign(Iterator<Const> first, Iterator<Const> last)
    {
        assert(first.store() != this); // of another store
        reset();
        for (std::size_t i = first.index(); i < last.index();) {
            const T *from = &(*first.store())[i];
            const std::size_t n = std::min(kChunk - (i & kMask), last.index() - i);
            append(from, from + n);
            i += n;
        }
    }
    // Room for `n` records, mapped now rather than when they arrive.
    void reserve(std::size_t n)
    {
        if (capacity() >= n)
            return;
        if (!m_chunks.empty() && m_lastCapacity < kChunk)
            grow_last(kChunk);
        while (capacity() < n)
            push_chunk(m_chunks.empty() && n <= kFirstCapacity ? kFirstCapacity : kChunk);
    }
    // Empty, but keeping its memory for what comes next (as std::vector's clear()).
    void reset() noexcept { m_size = 0; }

    // Empty, giving its memory back.
    void clear() noexcept
    {
        for (std::size_t i = 0; i < m_chunks.size(); ++i)
            release(m_chunks[i], chunk_capacity(i));
        m_chunks = {};
        m_size = 0;
        m_lastCapacity = 0;
    }

    // Forgets the first `chunks` full chunks (kChunk records each) and returns their
    // memory; the record that was at chunks * kChunk is now at 0. At least one chunk
    // stays.
    void drop_front_chunks(std::size_t chunks)
    {
        // Whole chunks of records only, not the room reserve() or reset() kept.
        chunks = std::min(chunks,
                          std::min(m_chunks.empty() ? 0 : m_chunks.size() - 1, m_size >> kShift));
        for (std::size_t i = 0; i < chunks; ++i)
            release(m_chunks[i], kChunk);
        m_chunks.erase(m_chunks.begin(), m_chunks.begin() + std::ptrdiff_t(chunks));
        m_size -= chunks << kShift;
    }

    std::size_t capacity() const
    {
        return m_chunks.empty() ? 0 : ((m_chunks.size() - 1) << kShift) + m_lastCapacity;
    }
    // Everything this store holds on the heap.
    std::size_t capacity_bytes() const
    {
        return capacity() * sizeof(T) + m_chunks.capacity() * sizeof(T *);
    }

private:
    // Chunks of this size and up are mapped with every page populated: touching
    // fresh pages one at a time costs ~25 us a page on this kind of VM, 15x more.
    static constexpr std::size_t kMinMappedBytes = std::size_t(64) << 10;

    // Large chunks come from the block pool (slabs of populated pages), small ones
    // from populated_allocate (new).
    static bool pooled(std::size_t bytes)
    {
        return bytes >= kMinMappedBytes && bytes % block_granularity() == 0;
    }

    static T *allocate(std::size_t n)
    {
        const std::size_t bytes = n * sizeof(T);
        if (pooled(bytes))
            return static_cast<T *>(take_block(bytes));
        return static_cast<T *>(populated_allocate(bytes, kMinMappedBytes));
    }

    static void release(T *p, std::size_t n) noexcept
    {
        const std::size_t bytes = n * sizeof(T);
        if (pooled(bytes))
            give_block(p, bytes);
        else
            populated_free(p, bytes, kMinMappedBytes);
    }

    // The first chunk's sizes below full: tight, a power of two, then half as much again;
    // else doubling.
    static constexpr std::size_t next_first_capacity(std::size_t c)
    {
        if constexpr (!kTight)
            return std::min(kChunk, 2 * c);
        return std::min(kChunk, (c & (c - 1)) == 0 ? c + c / 2 : c / 3 * 4);
    }
    // A later chunk starts at half size if tight (where that is no smaller than a first
    // chunk), else whole.
    static constexpr std::size_t kTailCapacity =
        kTight ? std::max(kFirstCapacity, kChunk / 2) : kChunk;

    std::size_t chunk_capacity(std::size_t i) const
    {
        return i + 1 == m_chunks.size() ? m_lastCapacity : kChunk;
    }

    void reserve_for_push()
    {
        if (m_chunks.empty())
            push_chunk(kFirstCapacity);
        else if (m_lastCapacity < kChunk)
            grow_last(m_chunks.size() == 1 ? next_first_capacity(m_lastCapacity) : kChunk);
        else
            push_chunk(kTailCapacity);
    }

    void push_chunk(std::size_t n)
    {
        m_chunks.reserve(m_chunks.size() + 1); // may throw before the chunk exists
        m_chunks.push_back(allocate(n));
        m_lastCapacity = n;
    }

    // The last chunk, moved to one of `n` records.
    void grow_last(std::size_t n)
    {
        T *&last = m_chunks.back();
        const std::size_t first = (m_chunks.size() - 1) << kShift;
        const std::size_t held = m_size > first ? m_size - first : 0;
        T *chunk = allocate(n);
        std::memcpy(static_cast<void *>(chunk), last, held * sizeof(T));
        release(last, m_lastCapacity);
        last = chunk;
        m_lastCapacity = n;
    }

    std::vector<T *> m_chunks;
    std::size_t m_size = 0;
    std::size_t m_lastCapacity = 0; // records the last chunk can hold (the others kChunk)
};

} // namespace il
