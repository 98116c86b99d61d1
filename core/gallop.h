#pragma once
#include <algorithm>
#include <cstddef>

namespace il {

// First index k in [from, n) with pred(k), for a predicate that is false then true
// (n if none). Galloping: most searches end a few elements ahead (the next pixel
// column), so probe 1, 2, 4, ... ahead before bisecting; a long jump still costs O(log n).
template <typename Pred> std::size_t gallop(std::size_t n, std::size_t from, Pred pred)
{
    std::size_t lo = from;
    std::size_t step = 1;
    std::size_t hi = from;
    while (hi < n && !pred(hi)) {
        lo = hi + 1;
        hi = from + step;
        step *= 2;
    }
    hi = std::min(hi, n);
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (pred(mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

} // namespace il
