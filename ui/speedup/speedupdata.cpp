#include "speedupdata.h"

namespace {

template <typename T> bool readList(const il::Json &metrics, const char *key, QList<T> &out)
{
    const auto it = metrics.find(key);
    if (it == metrics.end() || !it->is_array())
        return false;
    for (const il::Json &v : *it) {
        if (!v.is_number())
            return false;
        out.append(v.get<T>());
    }
    return true;
}

} // namespace

std::optional<SpeedupData> SpeedupData::fromMetrics(const il::Json &metrics)
{
    if (!metrics.is_object())
        return std::nullopt;
    SpeedupData d;
    if (!readList(metrics, "threads", d.threads) || !readList(metrics, "speedup", d.speedup) ||
        !readList(metrics, "theoretical", d.theoretical))
        return std::nullopt;
    const auto cores = metrics.find("cores");
    if (cores == metrics.end() || !cores->is_number_integer())
        return std::nullopt;
    d.cores = cores->get<int>();
    if (d.speedup.size() != d.threads.size() || d.theoretical.size() != d.threads.size())
        return std::nullopt;
    return d;
}
